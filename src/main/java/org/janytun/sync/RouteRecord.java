package org.janytun.sync;

import java.util.Arrays;
import org.janytun.address.InetText;
import org.janytun.route.IpPrefix;
import org.janytun.text.Digits;

/**
 * A {@code route} frame (SYNC.md §1.5): packets to {@code address/prefixLength} go to connection {@code mux}.
 *
 * <p>The address is kept as given, not masked ({@code 192.168.1.1/24} stays so, as in the references, which store
 * and re-send it unchanged); {@link #prefix()} is the masked form to route with. Only IPv4 and IPv6 exist here:
 * the references' ethernet family is never produced by their tools and is refused by the decoder.
 *
 * @param address 4 bytes (IPv4) or 16 bytes (IPv6)
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 * @param mux the connection, 0..65535
 */
public record RouteRecord(byte[] address, int prefixLength, int mux) implements SyncRecord {
    public RouteRecord {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        }
        int max = address.length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range for "
                    + (max == 32 ? "IPv4" : "IPv6") + " (0 to " + max + ")");
        }
        SyncCodec.checkUint16("mux", mux);
        address = address.clone();
    }

    /** {@code address/length} (an IP literal, not resolved) routed to {@code mux}; the address is kept unmasked. */
    public static RouteRecord parse(String prefix, int mux) {
        int slash = prefix.lastIndexOf('/');
        if (slash <= 0 || slash == prefix.length() - 1) {
            throw new IllegalArgumentException("'" + InetText.printable(prefix) + "' is not <address>/<length>");
        }
        String len = prefix.substring(slash + 1);
        int length = (int) Digits.decimal(len, 3);
        if (length < 0) {
            throw new IllegalArgumentException("'" + InetText.printable(len) + "' is not a prefix length");
        }
        return new RouteRecord(InetText.parse(prefix.substring(0, slash)), length, mux);
    }

    @Override
    public byte[] address() {
        return address.clone();
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    /** The address as the references write it (glibc inet_ntop form). */
    public String addressText() {
        return InetText.format(address);
    }

    /** The masked prefix, for a {@link org.janytun.route.RouteTable}. */
    public IpPrefix prefix() {
        return IpPrefix.of(address, prefixLength);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteRecord r && r.prefixLength == prefixLength && r.mux == mux
                && Arrays.equals(r.address, address);
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(address) * 31 + prefixLength) * 31 + mux;
    }

    @Override
    public String toString() {
        return "RouteRecord[" + addressText() + "/" + prefixLength + " -> " + mux + "]";
    }
}
