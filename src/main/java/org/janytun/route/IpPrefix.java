package org.janytun.route;

import java.util.Arrays;
import java.util.Comparator;
import org.janytun.address.InetText;
import org.janytun.text.Digits;

/**
 * An IPv4 or IPv6 network prefix: the address bytes with every bit past {@code length} cleared, so that
 * {@code 10.0.0.1/8} and {@code 10.0.0.0/8} are the same prefix. Immutable.
 */
public final class IpPrefix implements Comparable<IpPrefix> {
    /**
     * The order the references dump routes in (SYNC.md §1.6): IPv4 before IPv6, then by prefix length ascending,
     * then by address ascending (unsigned, byte by byte).
     */
    public static final Comparator<IpPrefix> DUMP_ORDER = IpPrefix::compareTo;

    private final byte[] address;
    private final int length;

    private IpPrefix(byte[] masked, int length) {
        this.address = masked;
        this.length = length;
    }

    /**
     * The prefix of the first {@code length} bits of {@code address} (4 or 16 bytes).
     *
     * @throws IllegalArgumentException for another address size, or a length beyond 32 (IPv4) or 128 (IPv6)
     */
    public static IpPrefix of(byte[] address, int length) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        }
        int max = address.length * 8;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " is out of range for "
                    + (max == 32 ? "IPv4" : "IPv6") + " (0 to " + max + ")");
        }
        byte[] a = address.clone();
        mask(a, length);
        return new IpPrefix(a, length);
    }

    /** {@code address/length} with an IPv4 or IPv6 literal, e.g. {@code 10.0.0.0/8} or {@code fd00::/64}. */
    public static IpPrefix parse(String text) {
        int slash = text.lastIndexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("'" + InetText.printable(text) + "' is not <address>/<length>");
        }
        String len = text.substring(slash + 1);
        int length = (int) Digits.decimal(len, 3);
        if (length < 0) {
            throw new IllegalArgumentException("'" + InetText.printable(len) + "' is not a prefix length");
        }
        return of(InetText.parse(text.substring(0, slash)), length);
    }

    static void mask(byte[] a, int length) {
        for (int i = 0; i < a.length; i++) {
            int keep = Math.min(8, Math.max(0, length - 8 * i));
            a[i] &= (byte) (0xFF00 >>> keep);
        }
    }

    /** The masked address: 4 bytes for IPv4, 16 for IPv6 (a copy). */
    public byte[] address() {
        return address.clone();
    }

    public int length() {
        return length;
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    /** Whether this prefix covers the 4- or 16-byte address at {@code a[off..]} of the same family. */
    public boolean contains(byte[] a, int off, int addressLength) {
        if (addressLength != address.length) {
            return false;
        }
        int full = length >>> 3;
        for (int i = 0; i < full; i++) {
            if (a[off + i] != address[i]) {
                return false;
            }
        }
        int rest = length & 7;
        if (rest == 0) {
            return true;
        }
        int m = 0xFF00 >>> rest;
        return ((a[off + full] ^ address[full]) & m & 0xFF) == 0;
    }

    @Override
    public int compareTo(IpPrefix o) {
        if (address.length != o.address.length) {
            return Integer.compare(address.length, o.address.length);
        }
        if (length != o.length) {
            return Integer.compare(length, o.length);
        }
        return Arrays.compareUnsigned(address, o.address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && p.length == length && Arrays.equals(p.address, address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + length;
    }

    @Override
    public String toString() {
        return InetText.format(address) + "/" + length;
    }
}
