package org.janytun.connection;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A network prefix {@code address/length} as {@code -R} takes it, IPv4 (0..32) or IPv6 (0..128), any length.
 * The address is kept as given; host bits beyond the length are ignored when routing.
 */
public record Prefix(InetAddress address, int length) {

    public Prefix {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length must be 0.." + max + ", not " + length);
        }
    }

    /**
     * Parses {@code net/len} with a numeric address (no name lookups).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Prefix parse(String spec) {
        int slash = spec.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected <net>/<prefix length>, got '" + spec + "'");
        }
        String addr = spec.substring(0, slash);
        int len;
        try {
            len = Integer.parseInt(spec.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefix length is not a number in '" + spec + "'");
        }
        if (addr.isEmpty() || !(addr.indexOf(':') >= 0 || addr.matches("[0-9.]+"))) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address: '" + addr + "'");
        }
        if (addr.indexOf(':') < 0 && !addr.matches("(\\d{1,3}\\.){3}\\d{1,3}")) {
            throw new IllegalArgumentException("not a dotted IPv4 address: '" + addr + "'");
        }
        try {
            return new Prefix(InetAddress.getByName(addr), len);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address: '" + addr + "'");
        }
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
