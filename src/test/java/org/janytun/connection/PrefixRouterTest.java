package org.janytun.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Longest-prefix match against a brute-force model, for any prefix length and any route order. */
class PrefixRouterTest {

    private static PrefixRouter.Route route(String prefix, int mux) {
        return new PrefixRouter.Route(Prefix.parse(prefix), mux);
    }

    /** An IP packet whose destination is {@code dst}: the router reads only the version and the address. */
    private static byte[] packetTo(String dst) throws Exception {
        byte[] a = InetAddress.getByName(dst).getAddress();
        byte[] p = new byte[a.length == 4 ? 20 : 40];
        p[0] = (byte) (a.length == 4 ? 0x45 : 0x60);
        System.arraycopy(a, 0, p, a.length == 4 ? 16 : 24, a.length);
        return p;
    }

    private static int lookup(PrefixRouter r, String dst) throws Exception {
        byte[] p = packetTo(dst);
        return r.muxFor(p, 0, p.length);
    }

    @Test
    void orderDoesNotMatterAndOddLengthsWork() throws Exception {
        List<PrefixRouter.Route> routes = List.of(route("10.0.1.0/24", 2), route("10.0.0.0/20", 1),
                route("192.168.123.128/25", 3), route("10.128.0.0/9", 4), route("0.0.0.0/0", 5),
                route("2001:db8::/33", 6), route("2001:db8:ffff::/47", 7), route("fec0::1/128", 8));
        for (int i = 0; i < 10; i++) {
            List<PrefixRouter.Route> shuffled = new ArrayList<>(routes);
            Collections.shuffle(shuffled, new Random(i));
            PrefixRouter r = new PrefixRouter(shuffled);
            assertEquals(2, lookup(r, "10.0.1.5"), "the /24 wins over the /20 whatever the order");
            assertEquals(1, lookup(r, "10.0.2.5"));
            assertEquals(3, lookup(r, "192.168.123.200"));
            assertEquals(5, lookup(r, "192.168.123.100"), "outside the /25: default route");
            assertEquals(4, lookup(r, "10.200.0.1"));
            assertEquals(6, lookup(r, "2001:db8:1234::1"));
            assertEquals(7, lookup(r, "2001:db8:ffff::1"));
            assertEquals(8, lookup(r, "fec0::1"));
            assertEquals(-1, lookup(r, "fec0::2"), "no IPv6 default route");
        }
    }

    @Test
    void agreesWithBruteForce() throws Exception {
        Random random = new Random(1);
        for (int round = 0; round < 50; round++) {
            List<PrefixRouter.Route> routes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                boolean v4 = random.nextBoolean();
                byte[] a = new byte[v4 ? 4 : 16];
                random.nextBytes(a);
                a[0] = (byte) (random.nextInt(4) + (v4 ? 10 : 0x20)); // keep them close so they overlap
                int len = random.nextInt(v4 ? 33 : 129);
                routes.add(new PrefixRouter.Route(new Prefix(InetAddress.getByAddress(a), len), i));
            }
            PrefixRouter r = new PrefixRouter(routes);
            for (int q = 0; q < 200; q++) {
                PrefixRouter.Route near = routes.get(random.nextInt(routes.size()));
                byte[] a = near.prefix().address().getAddress();
                a[a.length - 1 - random.nextInt(a.length)] ^= (byte) (1 << random.nextInt(8));
                InetAddress dst = InetAddress.getByAddress(a);
                assertEquals(bruteForce(routes, dst), lookup(r, dst.getHostAddress()), dst.toString());
            }
        }
    }

    /** The longest matching prefix; among equal ones the last given (the table keeps one per prefix anyway). */
    private static int bruteForce(List<PrefixRouter.Route> routes, InetAddress dst) {
        int best = -1;
        int bestLen = -1;
        byte[] d = dst.getAddress();
        for (PrefixRouter.Route r : routes) {
            byte[] n = r.prefix().address().getAddress();
            if (n.length != d.length) {
                continue;
            }
            int bits = n.length * 8;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                    .shiftRight(r.prefix().length()).not().and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
            if (new BigInteger(1, n).and(mask).equals(new BigInteger(1, d).and(mask)) && r.prefix().length() > bestLen) {
                best = r.mux();
                bestLen = r.prefix().length();
            }
        }
        return best;
    }
}
