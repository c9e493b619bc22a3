package org.janytun.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.janytun.address.InetText;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    /** Brute force: the longest prefix of the right family containing the address. */
    private static Integer model(Map<IpPrefix, Integer> routes, byte[] a) {
        IpPrefix best = null;
        for (IpPrefix p : routes.keySet()) {
            if (p.contains(a, 0, a.length) && (best == null || p.length() > best.length())) {
                best = p;
            }
        }
        return best == null ? null : routes.get(best);
    }

    private static byte[] ip(String s) {
        return InetText.parse(s);
    }

    @Test
    void oddPrefixesThatHangTheReference() {
        RouteTable<Integer> t = new RouteTable<>();
        t.put(IpPrefix.parse("10.0.0.128/25"), 1);
        t.put(IpPrefix.parse("10.128.0.0/9"), 2);
        t.put(IpPrefix.parse("128.0.0.0/1"), 3);
        t.put(IpPrefix.parse("10.240.0.0/12"), 4);
        t.put(IpPrefix.parse("2001:db8:ffff::/47"), 5);
        t.put(IpPrefix.parse("2001:db8::/33"), 6);
        assertEquals(1, t.lookupIpv4(ip("10.0.0.200"), 0));
        assertNull(t.lookupIpv4(ip("10.0.0.127"), 0));
        assertEquals(2, t.lookupIpv4(ip("10.200.1.1"), 0));
        assertEquals(4, t.lookupIpv4(ip("10.241.1.1"), 0));
        assertEquals(3, t.lookupIpv4(ip("200.1.1.1"), 0));
        assertNull(t.lookupIpv4(ip("9.1.1.1"), 0));
        assertEquals(5, t.lookupIpv6(ip("2001:db8:ffff:1::1"), 0));
        assertEquals(6, t.lookupIpv6(ip("2001:db8:7fff::1"), 0));
        assertNull(t.lookupIpv6(ip("2001:db8:8000::1"), 0));
    }

    @Test
    void orderDoesNotMatter() {
        // SYNC.md §4.2, interop/lpm-*: /24 -> 2 then /20 -> 1 sent 10.0.1.5 to mux 1 in the reference
        for (boolean longFirst : new boolean[] {true, false}) {
            RouteTable<Integer> t = new RouteTable<>();
            if (longFirst) {
                t.put(IpPrefix.parse("10.0.1.0/24"), 2);
                t.put(IpPrefix.parse("10.0.0.0/20"), 1);
            } else {
                t.put(IpPrefix.parse("10.0.0.0/20"), 1);
                t.put(IpPrefix.parse("10.0.1.0/24"), 2);
            }
            assertEquals(2, t.lookupIpv4(ip("10.0.1.5"), 0));
            assertEquals(1, t.lookupIpv4(ip("10.0.2.5"), 0));
        }
    }

    @Test
    void defaultRoutesHostRoutesAndFamiliesApart() {
        RouteTable<Integer> t = new RouteTable<>();
        t.put(IpPrefix.parse("0.0.0.0/0"), 1);
        t.put(IpPrefix.parse("::/0"), 2);
        t.put(IpPrefix.parse("192.168.1.1/32"), 3);
        t.put(IpPrefix.parse("fd00::1/128"), 4);
        t.put(IpPrefix.parse("::ffff:10.0.0.0/104"), 5);
        assertEquals(1, t.lookupIpv4(ip("8.8.8.8"), 0));
        assertEquals(3, t.lookupIpv4(ip("192.168.1.1"), 0));
        assertEquals(1, t.lookupIpv4(ip("192.168.1.2"), 0));
        assertEquals(4, t.lookupIpv6(ip("fd00::1"), 0));
        assertEquals(2, t.lookupIpv6(ip("fd00::2"), 0));
        assertEquals(5, t.lookupIpv6(ip("::ffff:10.1.2.3"), 0));
        assertEquals(1, t.lookupIpv4(ip("10.1.2.3"), 0)); // the mapped v6 route is not an IPv4 route
        assertEquals(1, t.remove(IpPrefix.parse("0.0.0.0/0")));
        assertNull(t.lookupIpv4(ip("8.8.8.8"), 0));
        assertEquals(3, t.lookupIpv4(ip("192.168.1.1"), 0));
        assertEquals(3, t.put(IpPrefix.parse("192.168.1.1/32"), 7));
        assertEquals(7, t.lookupIpv4(ip("192.168.1.1"), 0));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("::/129"));
        assertThrows(IllegalArgumentException.class, () -> t.lookup(new byte[8], 0, 8));
    }

    @Test
    void unmaskedPrefixIsTheSameRoute() {
        RouteTable<Integer> t = new RouteTable<>();
        t.put(IpPrefix.parse("10.0.0.1/8"), 1);
        assertEquals(1, t.put(IpPrefix.parse("10.0.0.0/8"), 2));
        assertEquals(1, t.size());
        assertEquals("10.0.0.0/8", t.snapshot().keySet().iterator().next().toString());
    }

    @Test
    void packetDestinations() {
        RouteTable<Integer> t = new RouteTable<>();
        t.put(IpPrefix.parse("192.168.88.0/24"), 2);
        t.put(IpPrefix.parse("fd00:88::1/128"), 1);
        byte[] v4 = new byte[3 + 20];
        v4[3] = 0x45;
        System.arraycopy(ip("192.168.88.7"), 0, v4, 3 + 16, 4);
        assertEquals(2, t.lookupDestination(v4, 3, 20));
        assertNull(t.lookupDestination(v4, 3, 19));
        byte[] v6 = new byte[40];
        v6[0] = 0x60;
        System.arraycopy(ip("fd00:88::1"), 0, v6, 24, 16);
        assertEquals(1, t.lookupDestination(v6, 0, 40));
        assertNull(t.lookupDestination(v6, 0, 39));
        assertNull(t.lookupDestination(new byte[40], 0, 40));
        assertNull(t.lookupDestination(v6, 0, 0));
    }

    @Test
    void randomAgainstBruteForce() {
        Random rnd = new Random(0x5A7B_2323L);
        for (int round = 0; round < 40; round++) {
            boolean v6 = (round & 1) == 1;
            int size = v6 ? 16 : 4;
            RouteTable<Integer> t = new RouteTable<>();
            Map<IpPrefix, Integer> model = new HashMap<>();
            // prefixes clustered under a few bases so that they nest and overlap
            byte[][] bases = new byte[4][size];
            for (byte[] b : bases) {
                rnd.nextBytes(b);
            }
            int n = 1 + rnd.nextInt(200);
            List<IpPrefix> added = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] a = bases[rnd.nextInt(bases.length)].clone();
                int len = pickLength(rnd, size * 8);
                // perturb some bits after a random point
                int from = rnd.nextInt(size * 8 + 1);
                for (int b = from; b < size * 8; b++) {
                    if (rnd.nextInt(4) == 0) {
                        a[b >>> 3] ^= (byte) (0x80 >>> (b & 7));
                    }
                }
                IpPrefix p = IpPrefix.of(a, len);
                int value = rnd.nextInt(1000);
                assertEquals(model.put(p, value), t.put(p, value));
                added.add(p);
            }
            Collections.shuffle(added, rnd);
            for (int i = 0; i < added.size() / 4; i++) {
                assertEquals(model.remove(added.get(i)), t.remove(added.get(i)));
            }
            assertEquals(model.size(), t.size());
            for (int q = 0; q < 3000; q++) {
                byte[] a = bases[rnd.nextInt(bases.length)].clone();
                int from = rnd.nextInt(size * 8 + 1);
                for (int b = from; b < size * 8; b++) {
                    if (rnd.nextBoolean()) {
                        a[b >>> 3] ^= (byte) (0x80 >>> (b & 7));
                    }
                }
                byte[] buf = new byte[size + 7];
                System.arraycopy(a, 0, buf, 5, size);
                assertEquals(model(model, a), t.lookup(buf, 5, size), () -> "lookup " + InetText.format(a));
            }
            // a second table built in another order gives the same answers
            RouteTable<Integer> other = new RouteTable<>();
            List<Map.Entry<IpPrefix, Integer>> entries = new ArrayList<>(model.entrySet());
            Collections.shuffle(entries, rnd);
            other.replaceAll(model);
            RouteTable<Integer> third = new RouteTable<>();
            entries.forEach(e -> third.put(e.getKey(), e.getValue()));
            for (int q = 0; q < 1000; q++) {
                byte[] a = new byte[size];
                rnd.nextBytes(a);
                System.arraycopy(bases[q & 3], 0, a, 0, rnd.nextInt(size + 1));
                assertEquals(t.lookup(a, 0, size), other.lookup(a, 0, size));
                assertEquals(t.lookup(a, 0, size), third.lookup(a, 0, size));
            }
        }
    }

    /**
     * A batch (putAll) on a table that already has routes, against one route at a time: the same answers, and a
     * snapshot taken before the batch does not see it (the batch changes only nodes it made itself).
     */
    @Test
    void aBatchIsLikeOneRouteAtATimeAndLeavesSnapshotsAlone() {
        Random rnd = new Random(17);
        RouteTable<Integer> batched = new RouteTable<>();
        RouteTable<Integer> single = new RouteTable<>();
        Map<IpPrefix, Integer> model = new HashMap<>();
        for (int round = 0; round < 20; round++) {
            RouteTable.Frozen<Integer> before = batched.frozen();
            Map<IpPrefix, Integer> modelBefore = new HashMap<>(model);
            Map<IpPrefix, Integer> batch = new java.util.LinkedHashMap<>();
            for (int i = 0; i < 50; i++) {
                byte[] a = {10, (byte) rnd.nextInt(4), (byte) rnd.nextInt(256), (byte) rnd.nextInt(256)};
                IpPrefix p = IpPrefix.of(a, pickLength(rnd, 32));
                int v = rnd.nextInt(1000);
                batch.put(p, v);
                single.put(p, v);
                model.put(p, v);
            }
            batched.putAll(batch);
            if (round % 3 == 2) { // and a removal between batches
                IpPrefix gone = batch.keySet().iterator().next();
                batched.remove(gone);
                single.remove(gone);
                model.remove(gone);
            }
            for (int q = 0; q < 500; q++) {
                byte[] a = {10, (byte) rnd.nextInt(4), (byte) rnd.nextInt(256), (byte) rnd.nextInt(256)};
                byte[] packet = new byte[20];
                packet[0] = 0x45;
                System.arraycopy(a, 0, packet, 16, 4);
                assertEquals(model(model, a), batched.lookup(a, 0, 4));
                assertEquals(model(model, a), single.lookup(a, 0, 4));
                assertEquals(model(modelBefore, a), before.lookupDestination(packet, 0, 20), "the snapshot");
            }
        }
        assertEquals(model.size(), batched.size());
    }

    private static int pickLength(Random rnd, int max) {
        int[] special = max == 32 ? new int[] {0, 1, 8, 9, 24, 25, 31, 32} : new int[] {0, 1, 33, 47, 64, 127, 128};
        return rnd.nextInt(3) == 0 ? special[rnd.nextInt(special.length)] : rnd.nextInt(max + 1);
    }

    @Test
    void lookupsDoNotAllocate() {
        RouteTable<Integer> t = new RouteTable<>();
        Random rnd = new Random(7);
        for (int i = 0; i < 500; i++) {
            byte[] a = new byte[rnd.nextBoolean() ? 4 : 16];
            rnd.nextBytes(a);
            t.put(IpPrefix.of(a, rnd.nextInt(a.length * 8 + 1)), i);
        }
        byte[] v4 = new byte[20];
        v4[0] = 0x45;
        byte[] v6 = new byte[40];
        v6[0] = 0x60;
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int warm = 0; warm < 3; warm++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200_000; i++) {
                v4[16 + (i & 3)] = (byte) i;
                v6[24 + (i & 15)] = (byte) (i >>> 3);
                Integer a = t.lookupDestination(v4, 0, 20);
                Integer b = t.lookupDestination(v6, 0, 40);
                sink += (a == null ? 0 : a) + (b == null ? 0 : b);
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            if (warm == 2) {
                // a few bytes of slack for the measurement itself; 400000 lookups allocating would be megabytes
                assertTrue(allocated < 4096, "lookups allocated " + allocated + " bytes (" + sink + ")");
            }
        }
    }

    @Test
    void lookupsDuringUpdatesSeeConsistentTables() throws Exception {
        RouteTable<Integer> t = new RouteTable<>();
        t.put(IpPrefix.parse("10.0.0.0/8"), 1);
        byte[] a = ip("10.1.2.3");
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 20000; i++) {
                t.put(IpPrefix.parse("10.1.0.0/16"), 2);
                t.remove(IpPrefix.parse("10.1.0.0/16"));
            }
        });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (writer.isAlive() && System.nanoTime() < deadline) {
            Integer v = t.lookupIpv4(a, 0);
            if (v == null || (v != 1 && v != 2)) {
                throw new AssertionError("inconsistent lookup: " + v);
            }
        }
        writer.join(10_000);
        assertEquals(1, t.lookupIpv4(a, 0));
    }
}
