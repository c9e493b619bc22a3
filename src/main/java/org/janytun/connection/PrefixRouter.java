package org.janytun.connection;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Longest-prefix match of an inner packet's destination to a mux, for IPv4 and IPv6, immutable. Routes are kept
 * longest first, so the first match wins whatever order they arrived in (the reference's trie depends on the
 * order and hangs on some lengths). Lookup scans the routes of one family: small tables, no allocation.
 */
public final class PrefixRouter implements ConnectionTable.Router {
    /** A route: the prefix's bytes (host bits cleared), its length and its mux. */
    private record Entry(byte[] net, int length, int mux) {}

    private final Entry[] v4;
    private final Entry[] v6;

    public PrefixRouter(List<Route> routes) {
        List<Entry> four = new ArrayList<>();
        List<Entry> six = new ArrayList<>();
        for (Route r : routes) {
            byte[] net = masked(r.prefix().address().getAddress(), r.prefix().length());
            (r.prefix().address() instanceof Inet4Address ? four : six).add(new Entry(net, r.prefix().length(), r.mux()));
        }
        Comparator<Entry> longestFirst = Comparator.comparingInt(Entry::length).reversed();
        four.sort(longestFirst);
        six.sort(longestFirst);
        v4 = four.toArray(Entry[]::new);
        v6 = six.toArray(Entry[]::new);
    }

    /** A prefix routed to a mux. */
    public record Route(Prefix prefix, int mux) {}

    @Override
    public int muxFor(byte[] buf, int off, int len) {
        if (len < 1) {
            return -1;
        }
        return switch ((buf[off] >> 4) & 0xF) {
            case 4 -> len >= 20 ? match(v4, buf, off + 16) : -1;
            case 6 -> len >= 40 ? match(v6, buf, off + 24) : -1;
            default -> -1;
        };
    }

    private static int match(Entry[] routes, byte[] buf, int dst) {
        for (Entry e : routes) {
            if (matches(e, buf, dst)) {
                return e.mux;
            }
        }
        return -1;
    }

    private static boolean matches(Entry e, byte[] buf, int dst) {
        int full = e.length >>> 3;
        for (int i = 0; i < full; i++) {
            if (buf[dst + i] != e.net[i]) {
                return false;
            }
        }
        int rest = e.length & 7;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (buf[dst + full] & mask) == (e.net[full] & 0xFF);
    }

    private static byte[] masked(byte[] a, int length) {
        byte[] m = a.clone();
        for (int i = 0; i < m.length; i++) {
            int bits = Math.max(0, Math.min(8, length - 8 * i));
            m[i] &= (byte) (0xFF << (8 - bits));
        }
        return m;
    }

    public int size() {
        return v4.length + v6.length;
    }
}
