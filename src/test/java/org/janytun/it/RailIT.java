package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.janytun.os.NetNamespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * RAIL (SPEC §13): janytun against uanytun's RAIL build ({@code ../shared/peers/uanytun-rail}) in both roles, and
 * janytun against janytun over three separate links ({@code --rail-link}) with 20 % random loss on each, a link
 * taken down mid-stream, and hostile datagrams on every link. Per-link datagram counts come from iptables rules in
 * the receiving namespace. Everything runs in namespaces this class creates and removes.
 */
class RailIT {
    private static final String KEY = Scenarios.KEY128;
    private static final String SALT = Scenarios.SALT;
    private static final Pattern IPT_LINE = Pattern.compile("^\\s*\\d+\\s+(\\d+)\\s+(\\S+)\\s.*?(?:dpt:(\\d+))?\\s*$");
    private static TestNet net;
    /** Two more links between A and B (10.201.3.0/24, 10.201.4.0/24): three uplinks with link 1 (net.ab). */
    private static VethLink ab3;
    private static VethLink ab4;
    private static int caseNo;

    @BeforeAll
    static void network() {
        Preflight.require();
        Kind.uanytunRail(); // fail at once, with the reason, when the peer is missing
        ItEnv.requireBinary("iptables", "iptables");
        net = TestNet.create();
        for (Netns ns : List.of(net.a, net.b)) {
            ns.sysctl("net.ipv6.conf.default.disable_ipv6", "0"); // the links get IPv6 addresses too
        }
        ab3 = VethLink.connect(net.a, net.b, 3);
        ab4 = VethLink.connect(net.a, net.b, 4);
        for (Netns ns : List.of(net.a, net.b)) {
            ns.sysctl("net.ipv6.conf.default.disable_ipv6", "1"); // as TestNet: tunnel devices carry test traffic only
        }
    }

    @AfterAll
    static void removeNetwork() {
        if (net != null) {
            net.close();
        }
    }

    private record Case(int n, String devA, String devB, String innerA, String innerB, Path logs) {}

    private static Case newCase(TestInfo info) throws Exception {
        int n = ++caseNo;
        Path logs = ItEnv.logRoot().resolve("RailIT").resolve(n + "-" + info.getTestMethod().orElseThrow().getName());
        Files.createDirectories(logs);
        for (Netns ns : List.of(net.a, net.b)) {
            ns.exec("iptables", "-F", "INPUT"); // each case counts (and loses) from zero
        }
        return new Case(n, "tunRa" + n, "tunRb" + n, "10.78." + n + ".1", "10.78." + n + ".2", logs);
    }

    private static EndpointSpec end(Case c, String role, boolean a) {
        return new EndpointSpec().role(role).key(KEY).salt(SALT).window(64).devName(a ? c.devA() : c.devB())
                .ifconfig((a ? c.innerA() : c.innerB()) + "/24");
    }

    /** A janytun end's own state directory and control socket in the case's folder (not /var/lib, /run). */
    private static EndpointSpec janytun(EndpointSpec spec, Case c, String name) {
        return spec.extra("--state-dir", c.logs().resolve("state-" + name).toString(),
                "--control-socket", socket(c, name).toString());
    }

    private static Path socket(Case c, String name) {
        return c.logs().resolve(name + ".ctl");
    }

    /** Adds a counting rule per UDP port in {@code ns}'s INPUT chain. */
    private static void countPorts(Netns ns, int low, int high) {
        for (int p = low; p <= high; p++) {
            ns.exec("iptables", "-A", "INPUT", "-p", "udp", "--dport", Integer.toString(p), "-j", "ACCEPT");
        }
    }

    /**
     * Bytes counted per destination port by the ACCEPT rules of {@code ns}'s INPUT chain. Bytes, not packets: the
     * veth's GRO may hand netfilter several datagrams as one, at boundaries that differ from link to link.
     */
    private static long[] counted(Netns ns, int low, int high) {
        long[] out = new long[high - low + 1];
        for (String line : ns.exec("iptables", "-L", "INPUT", "-v", "-n", "-x").split("\n")) {
            Matcher m = IPT_LINE.matcher(line);
            if (m.matches() && "ACCEPT".equals(m.group(2)) && m.group(3) != null) {
                int port = Integer.parseInt(m.group(3));
                if (port >= low && port <= high) {
                    out[port - low] += Long.parseLong(m.group(1));
                }
            }
        }
        return out;
    }

    /** A ping every 10 ms: {transmitted, received}. */
    private static int[] pingFlood(Netns from, String dst, int count) {
        Exec.Result r = from.run(Duration.ofSeconds(count / 100 + 15), "ping", "-n", "-q", "-i", "0.01", "-W", "1",
                "-c", Integer.toString(count), dst);
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(r.output());
        assertTrue(m.find(), "ping printed no statistics: " + r.describe());
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private static void assertAllOnEveryLink(long[] perLink, long atLeast, double slack, String what) {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (long v : perLink) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        System.out.println("RailIT " + what + ": bytes per link " + java.util.Arrays.toString(perLink));
        assertTrue(min >= atLeast, what + ": every link carries every datagram, at least " + atLeast + " bytes: "
                + java.util.Arrays.toString(perLink));
        assertTrue(max - min <= slack * max, what + ": the links carry the same datagrams: "
                + java.util.Arrays.toString(perLink));
    }

    /** janytun left with port ranges (uanytun's form) against uanytun-rail right, which learns every link. */
    @Test
    void janytunWithPortRangesTalksToUanytunRail(TestInfo info) throws Exception {
        Case c = newCase(info);
        countPorts(net.b, 4440, 4442);
        countPorts(net.a, 1233, 1235);
        EndpointSpec right = end(c, "right", false).localPorts("4440:4442").extra("-Y");
        EndpointSpec left = end(c, "left", true).localPorts("1233:1235").remoteHost(net.ab.v4(net.b))
                .remotePorts("4440:4442");
        try (TunnelEnd peer = TunnelEnd.start("right", Kind.UANYTUN_RAIL, net.b, right, c.logs().resolve("uanytun.log"))
                .awaitReady(TunnelEnd.READY_TIMEOUT);
             TunnelEnd j = TunnelEnd.start("left", Kind.JANYTUN, net.a, janytun(left, c, "left"), c.logs().resolve("janytun.log"))
                     .awaitReady(TunnelEnd.READY_TIMEOUT)) {
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "janytun RAIL -> uanytun-rail");
            Traffic.awaitPing(net.b, c.innerA(), Traffic.PING_BUDGET, "uanytun-rail -> janytun RAIL");
            Traffic.PingResult p = Traffic.ping(net.a, c.innerB(), 20);
            assertEquals(20, p.received(), "no ping lost, none duplicated: " + p.output());
            assertFalse(p.output().contains("DUP"), p.output());
            Traffic.tcpTransfer(net.a, net.b, c.innerB(), 5001 + c.n(), 11, c.logs());
            // janytun knows every link's remote from the start: each datagram on each link
            // (the very first datagrams may wait for ARP on the shared veth, whose queue can drop one or two)
            assertAllOnEveryLink(counted(net.b, 4440, 4442), Traffic.TCP_BYTES, 1e-4, "janytun -> uanytun-rail");
            // uanytun learns each link from the first packet on it, which janytun sent on all three at once
            assertAllOnEveryLink(counted(net.a, 1233, 1235), 50_000, 0.01, "uanytun-rail -> janytun");
            assertFalse(j.process().output().contains("replayed or too old"),
                    "the copies RAIL makes are not logged as replays");
            assertTrue(j.process().printed(Pattern.compile("RAIL mode: every packet goes out on each of 3 links")));
        }
    }

    /** uanytun-rail left with -r and port ranges against janytun right with -Y, which learns every link. */
    @Test
    void uanytunRailTalksToJanytunThatLearnsTheLinks(TestInfo info) throws Exception {
        Case c = newCase(info);
        countPorts(net.a, 1233, 1235);
        countPorts(net.b, 4440, 4442);
        EndpointSpec right = end(c, "right", false).localPorts("4440:4442").extra("-Y");
        EndpointSpec left = end(c, "left", true).localPorts("1233:1235").remoteHost(net.ab.v4(net.b))
                .remotePorts("4440:4442").extra("-Y");
        try (TunnelEnd j = TunnelEnd.start("right", Kind.JANYTUN, net.b, janytun(right, c, "right"), c.logs().resolve("janytun.log"))
                .awaitReady(TunnelEnd.READY_TIMEOUT);
             TunnelEnd peer = TunnelEnd.start("left", Kind.UANYTUN_RAIL, net.a, left, c.logs().resolve("uanytun.log"))
                     .awaitReady(TunnelEnd.READY_TIMEOUT)) {
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "uanytun-rail -> janytun RAIL");
            Traffic.awaitPing(net.b, c.innerA(), Traffic.PING_BUDGET, "janytun RAIL -> uanytun-rail");
            Traffic.PingResult p = Traffic.ping(net.b, c.innerA(), 20);
            assertEquals(20, p.received(), "no ping lost, none duplicated: " + p.output());
            assertFalse(p.output().contains("DUP"), p.output());
            Traffic.tcpTransfer(net.b, net.a, c.innerA(), 5001 + c.n(), 12, c.logs());
            assertAllOnEveryLink(counted(net.b, 4440, 4442), 50_000, 5e-3, "uanytun-rail -> janytun");
            // janytun learns each link from the first packet on it, which uanytun sent on all three at once
            assertAllOnEveryLink(counted(net.a, 1233, 1235), Traffic.TCP_BYTES, 0.01, "janytun -> uanytun-rail");
            assertEquals(3, j.process().count(Pattern.compile("autodetected remote host changed")),
                    "janytun learned each of the three links once");
        }
    }

    private static List<String> railLinks(boolean sideA) {
        List<String> args = new ArrayList<>();
        for (VethLink l : List.of(net.ab, ab3, ab4)) {
            args.add("--rail-link");
            args.add(sideA ? l.v4(net.a) + "=" + l.v4(net.b) : l.v4(net.b) + "=" + l.v4(net.a));
        }
        return args;
    }

    /** Random loss of {@code probability} on the UDP datagrams that reach {@code port} in B, on every link. */
    private static void loseInB(int port, double probability) {
        net.b.exec("iptables", "-I", "INPUT", "-p", "udp", "--dport", Integer.toString(port), "-m", "statistic",
                "--mode", "random", "--probability", Double.toString(probability), "-j", "DROP");
    }

    /**
     * janytun to janytun over three separate uplinks (--rail-link, one local address each): with 20 % random loss
     * on each, RAIL loses about 0.2³ = 0.8 % of the pings where one link loses 20 %; a link taken down in the middle
     * costs nothing; forged and replayed datagrams on every link are dropped, move no endpoint, and the tunnel goes
     * on.
     */
    @Test
    void threeLossyUplinksLoseAlmostNothing(TestInfo info) throws Exception {
        Case c = newCase(info);
        EndpointSpec left = end(c, "left", true).localPort(5600).remotePort(5700).extra(railLinks(true)
                .toArray(String[]::new));
        EndpointSpec right = end(c, "right", false).localPort(5700).remotePort(5600).extra(railLinks(false)
                .toArray(String[]::new));
        // a plain tunnel over link 1 alone, with the same loss, to compare
        EndpointSpec plainLeft = new EndpointSpec().role("left").key(KEY).salt(SALT).window(64)
                .devName("tunPa" + c.n()).ifconfig("10.79." + c.n() + ".1/24").localAddr(net.ab.v4(net.a))
                .localPort(5601).remoteHost(net.ab.v4(net.b)).remotePort(5701);
        EndpointSpec plainRight = new EndpointSpec().role("right").key(KEY).salt(SALT).window(64)
                .devName("tunPb" + c.n()).ifconfig("10.79." + c.n() + ".2/24").localAddr(net.ab.v4(net.b))
                .localPort(5701).remoteHost(net.ab.v4(net.a)).remotePort(5601);
        try (TunnelEnd b = TunnelEnd.start("right", Kind.JANYTUN, net.b, janytun(right, c, "right"), c.logs().resolve("janytun-b.log"))
                .awaitReady(TunnelEnd.READY_TIMEOUT);
             TunnelEnd a = TunnelEnd.start("left", Kind.JANYTUN, net.a, janytun(left, c, "left"), c.logs().resolve("janytun-a.log"))
                     .awaitReady(TunnelEnd.READY_TIMEOUT);
             TunnelEnd pb = TunnelEnd.start("plain right", Kind.JANYTUN, net.b, janytun(plainRight, c, "plainright"),
                     c.logs().resolve("plain-b.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
             TunnelEnd pa = TunnelEnd.start("plain left", Kind.JANYTUN, net.a, janytun(plainLeft, c, "plainleft"),
                     c.logs().resolve("plain-a.log")).awaitReady(TunnelEnd.READY_TIMEOUT)) {
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "RAIL over three uplinks");
            Traffic.awaitPing(net.a, "10.79." + c.n() + ".2", Traffic.PING_BUDGET, "the plain tunnel");

            loseInB(5700, 0.2);
            loseInB(5701, 0.2);
            int[] rail = pingFlood(net.a, c.innerB(), 2000);
            int[] plain = pingFlood(net.a, "10.79." + c.n() + ".2", 1000);
            double railLoss = 1.0 - (double) rail[1] / rail[0];
            double plainLoss = 1.0 - (double) plain[1] / plain[0];
            System.out.printf("RailIT loss, 20 %% random loss per link A->B, a ping every 10 ms: RAIL over 3 links"
                    + " %d of %d lost (%.2f %%), one link %d of %d lost (%.2f %%)%n", rail[0] - rail[1], rail[0],
                    100 * railLoss, plain[0] - plain[1], plain[0], 100 * plainLoss);
            assertTrue(railLoss < 0.03, "RAIL should lose about 0.8 %, lost " + 100 * railLoss + " %");
            assertTrue(plainLoss > 0.12 && plainLoss < 0.30, "one link should lose about 20 %, lost "
                    + 100 * plainLoss + " %");
            // janytun-ctl show on B: per link, what came in first, the copies, and the loss its gaps show
            var conn = CtlIT.show(socket(c, "right")).get("connections").get(0);
            var links = conn.get("links");
            assertEquals(3, links.size(), conn.toString());
            for (var l : links) {
                long first = l.get("packets-in").asLong();
                long copies = l.get("rail-copies").asLong();
                long skipped = l.get("skipped").asLong();
                double loss = (double) skipped / (first + copies + skipped);
                System.out.printf("RailIT janytun-ctl show, link %d: %d first, %d copies, %d missing (%.1f %% loss)%n",
                        l.get("link").asInt(), first, copies, skipped, 100 * loss);
                assertTrue(loss > 0.12 && loss < 0.30, "each link loses about 20 %: " + l);
                assertTrue(first > 0 && copies > 0, l.toString());
            }
            String human = CtlIT.ctl("-s", socket(c, "right").toString(), "show").output();
            assertTrue(human.contains("link 2: remote " + ab4.v4(net.a) + ":5600"), human);
            net.b.exec("iptables", "-F", "INPUT");

            // link 4 goes down on A's side in the middle of a 10 s ping flood: its copies are lost, nothing else
            Thread.ofPlatform().daemon().start(() -> {
                Sleep.millis(3000);
                net.a.ip("link", "set", ab4.devA(), "down");
            });
            int[] down = pingFlood(net.a, c.innerB(), 1000);
            System.out.printf("RailIT link down mid-stream: %d of %d lost%n", down[0] - down[1], down[0]);
            assertEquals(down[0], down[1], "a link that goes down costs nothing but its copies");
            net.a.ip("link", "set", ab4.devA(), "up");

            // forged datagrams from a stranger on A's side, to each of B's links
            long forged = NetNamespace.callIn(net.a.name(), () -> {
                Random random = new Random(15);
                long n = 0;
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(
                        net.ab.v4(net.a)), 0))) {
                    for (VethLink l : List.of(net.ab, ab3, ab4)) {
                        InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(l.v4(net.b)), 5700);
                        for (int len : new int[] {0, 7, 30, 200, 1500, 2000}) {
                            for (int i = 0; i < 10; i++) {
                                byte[] d = new byte[len];
                                random.nextBytes(d);
                                if (len >= 8) {
                                    d[6] = 0;
                                    d[7] = 0;
                                }
                                s.send(new DatagramPacket(d, d.length, to));
                                n++;
                            }
                        }
                    }
                }
                return n;
            });
            assertEquals(180, forged);
            // genuine datagrams of A's, with sequence numbers A used long ago (the test holds the keys), replayed by
            // the stranger on every link: the window drops them, no link moves to the stranger
            long replayed = NetNamespace.callIn(net.a.name(), () -> {
                var suite = org.janytun.crypto.CryptoSuite.of(org.janytun.crypto.CtrAlgorithm.AES_CTR_128,
                        org.janytun.crypto.CtrAlgorithm.AES_CTR_128, org.janytun.crypto.AuthAlgorithm.SHA1, 10,
                        java.util.HexFormat.of().parseHex(KEY), java.util.HexFormat.of().parseHex(SALT), null);
                var sender = new org.janytun.session.SatpSession(suite, org.janytun.crypto.Role.LEFT, 0, 0,
                        org.janytun.wire.DeviceType.TUN, 0);
                long n = 0;
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(
                        net.ab.v4(net.a)), 0))) {
                    for (VethLink l : List.of(net.ab, ab3, ab4)) {
                        InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(l.v4(net.b)), 5700);
                        for (int seq = 1; seq <= 20; seq++) {
                            byte[] buf = new byte[org.janytun.wire.SatpLayout.BUFFER_SIZE];
                            buf[org.janytun.wire.SatpLayout.INNER_OFFSET] = 0x45;
                            int len = sender.sealAs(buf, 28, 0x0800, seq);
                            s.send(new DatagramPacket(buf, len, to));
                            n++;
                        }
                    }
                }
                return n;
            });
            assertEquals(60, replayed);
            Traffic.PingResult after = Traffic.ping(net.a, c.innerB(), 10);
            assertEquals(10, after.received(), "the tunnel goes on after the forged datagrams: " + after.output());
            assertTrue(b.process().isAlive() && a.process().isAlive());
            // the drop summary (every 10 s) counts the replays as replays, not as RAIL copies
            b.process().awaitOutput(Pattern.compile("dropped 60 packets: replayed or too old"), Duration.ofSeconds(15));
            assertFalse(b.process().printed(Pattern.compile("autodetected remote host changed to " + Pattern.quote(
                    net.ab.v4(net.a)) + ":(?!5600)")), "no forged or replayed datagram moved an endpoint");
        }
    }

    /**
     * Links of different latency (a delaying relay per link in B: 5, 20 and 40 ms each way): every ping arrives
     * once, the copies that come late fall to the window, and the round trip is that of the fastest link.
     */
    @Test
    void linksOfDifferentLatencyDeliverEveryPacketOnce(TestInfo info) throws Exception {
        Case c = newCase(info);
        List<VethLink> links = List.of(net.ab, ab3, ab4);
        int[] delays = {5, 20, 40};
        List<String> aArgs = new ArrayList<>();
        List<String> bArgs = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            VethLink l = links.get(k);
            aArgs.addAll(List.of("--rail-link", l.v4(net.a) + "=" + l.v4(net.b) + ":" + (5810 + k)));
            bArgs.addAll(List.of("--rail-link", l.v4(net.b) + "=")); // B learns each link: the relay's address
        }
        EndpointSpec left = end(c, "left", true).localPort(5600).extra(aArgs.toArray(String[]::new));
        EndpointSpec right = end(c, "right", false).localPort(5700).extra(bArgs.toArray(String[]::new));
        List<ManagedProcess> relays = new ArrayList<>();
        try {
            for (int k = 0; k < 3; k++) {
                String addr = links.get(k).v4(net.b);
                ManagedProcess r = ManagedProcess.start("relay " + delays[k] + " ms", net.b.wrap(JavaTool.command(
                        org.janytun.it.tools.UdpDelayRelay.class, addr, Integer.toString(5810 + k), addr, "5700",
                        Integer.toString(delays[k]), "120")), c.logs().resolve("relay-" + k + ".log"),
                        java.util.Map.of());
                relays.add(r);
                r.awaitOutput(Pattern.compile("^ready"), Duration.ofSeconds(20));
            }
            try (TunnelEnd b = TunnelEnd.start("right", Kind.JANYTUN, net.b, janytun(right, c, "right"), c.logs().resolve("janytun-b.log"))
                    .awaitReady(TunnelEnd.READY_TIMEOUT);
                 TunnelEnd a = TunnelEnd.start("left", Kind.JANYTUN, net.a, janytun(left, c, "left"), c.logs().resolve("janytun-a.log"))
                         .awaitReady(TunnelEnd.READY_TIMEOUT)) {
                Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "RAIL over links of 5, 20 and 40 ms");
                Exec.Result r = net.a.run(Duration.ofSeconds(30), "ping", "-n", "-i", "0.01", "-W", "1", "-c", "500",
                        c.innerB());
                Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(r.output());
                assertTrue(m.find(), r.describe());
                Matcher rtt = Pattern.compile("rtt min/avg/max/mdev = ([0-9.]+)/([0-9.]+)/([0-9.]+)").matcher(r.output());
                assertTrue(rtt.find(), r.describe());
                System.out.printf("RailIT links of 5/20/40 ms: %s of %s pings answered, rtt min/avg/max %s/%s/%s ms%n",
                        m.group(2), m.group(1), rtt.group(1), rtt.group(2), rtt.group(3));
                assertEquals(500, Integer.parseInt(m.group(2)), "every ping once: " + r.output().lines()
                        .filter(l -> l.contains("DUP") || l.contains("transmitted")).toList());
                assertFalse(r.output().contains("DUP"), "no duplicates reached the device");
                assertTrue(Double.parseDouble(rtt.group(1)) >= 10.0, "no way around the relays: " + rtt.group());
                assertTrue(Double.parseDouble(rtt.group(2)) < 15.0, "the fastest link (2 x 5 ms) sets the round trip");
                assertFalse(b.process().output().contains("replayed or too old"), "late copies are not replays");
            }
        } finally {
            for (ManagedProcess r : relays) {
                r.close();
            }
        }
    }

    /** Bytes of UDP to {@code port} counted per destination address in {@code ns} (rules added here). */
    private static long[] countedTo(Netns ns, List<String> addresses, int port) {
        long[] out = new long[addresses.size()];
        for (String line : ns.exec("iptables", "-L", "INPUT", "-v", "-n", "-x").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 8 && "ACCEPT".equals(f[2]) && line.contains("dpt:" + port)) {
                int k = addresses.indexOf(f[8]);
                if (k >= 0) {
                    out[k] += Long.parseLong(f[1]);
                }
            }
        }
        return out;
    }

    /**
     * --rail-spread between janytun nodes over three uplinks: each datagram takes one link in turn, so each link
     * carries about a third of the bytes; a ping flood and a 10 MiB transfer get through intact.
     */
    @Test
    void spreadModeSharesTheLinks(TestInfo info) throws Exception {
        Case c = newCase(info);
        List<VethLink> links = List.of(net.ab, ab3, ab4);
        List<String> bAddrs = links.stream().map(l -> l.v4(net.b)).toList();
        for (String addr : bAddrs) {
            net.b.exec("iptables", "-A", "INPUT", "-d", addr, "-p", "udp", "--dport", "5700", "-j", "ACCEPT");
        }
        List<String> aArgs = new ArrayList<>(railLinks(true));
        aArgs.add("--rail-spread");
        List<String> bArgs = new ArrayList<>(railLinks(false));
        bArgs.add("--rail-spread");
        EndpointSpec left = end(c, "left", true).localPort(5600).remotePort(5700).extra(aArgs.toArray(String[]::new));
        EndpointSpec right = end(c, "right", false).localPort(5700).remotePort(5600)
                .extra(bArgs.toArray(String[]::new));
        try (TunnelEnd b = TunnelEnd.start("right", Kind.JANYTUN, net.b, janytun(right, c, "right"), c.logs().resolve("janytun-b.log"))
                .awaitReady(TunnelEnd.READY_TIMEOUT);
             TunnelEnd a = TunnelEnd.start("left", Kind.JANYTUN, net.a, janytun(left, c, "left"), c.logs().resolve("janytun-a.log"))
                     .awaitReady(TunnelEnd.READY_TIMEOUT)) {
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "RAIL spread over three uplinks");
            int[] p = pingFlood(net.a, c.innerB(), 300);
            assertEquals(p[0], p[1], "every ping answered");
            Traffic.tcpTransfer(net.a, net.b, c.innerB(), 5001 + c.n(), 13, c.logs());
            long[] bytes = countedTo(net.b, bAddrs, 5700);
            long total = java.util.Arrays.stream(bytes).sum();
            System.out.println("RailIT spread: bytes per link " + java.util.Arrays.toString(bytes));
            assertTrue(total >= Traffic.TCP_BYTES && total < 2 * Traffic.TCP_BYTES,
                    "each datagram once, not once per link: " + total);
            for (long v : bytes) {
                assertTrue(v > total / 4 && v < total / 2, "each link about a third: " + java.util.Arrays.toString(bytes));
            }
            assertTrue(a.process().printed(Pattern.compile("RAIL mode: every packet goes out on one of the 3 links")));
        }
    }

    /**
     * RAIL in a server: janytun served its table by janytun-controld (-X), with a socket per port of -p 4460:4462,
     * and a uanytun-rail client (mux 1) in RAIL mode: the server learns each of the client's links and answers on
     * all three.
     */
    @Test
    void aServerServesARailClientOnEveryLink(TestInfo info) throws Exception {
        Case c = newCase(info);
        countPorts(net.a, 1233, 1235);
        List<String> config = new ArrayList<>(List.of("env", "JANYTUN_JAVA=" + ItEnv.java(),
                ItEnv.home().resolve("bin/janytun-config").toString(), "-m", "1", "-e", "server", "-E", "rail-client",
                "-w", "64", "-R", c.innerA() + "/32"));
        Path table = c.logs().resolve("table.txt");
        Files.writeString(table, Exec.check(Duration.ofSeconds(30), config));
        List<AutoCloseable> started = new ArrayList<>();
        try {
            ManagedProcess ctl = ManagedProcess.start("controld", net.b.wrap(List.of(
                    ItEnv.home().resolve("bin/janytun-controld").toString(), "-D", "-L", "stdout:5", "-f",
                    table.toString(), "-X", "127.0.0.1:4599")), c.logs().resolve("controld.log"),
                    java.util.Map.of("JANYTUN_JAVA", ItEnv.java()));
            started.add(ctl);
            ctl.awaitOutput(Pattern.compile("janytun-controld started"), Duration.ofSeconds(30));
            List<String> srv = new ArrayList<>(Kind.JANYTUN.launcher());
            srv.addAll(List.of("-X", "127.0.0.1:4599", "-Y", "-p", "4460:4462", "-w", "64", "-d", c.devB(), "-t",
                    "tun", "-n", c.innerB() + "/24", "--state-dir", c.logs().resolve("state-server").toString(),
                    "--control-socket", socket(c, "server").toString()));
            ManagedProcess server = ManagedProcess.start("rail server", net.b.wrap(srv),
                    c.logs().resolve("server.log"), Kind.JANYTUN.environment());
            started.add(server);
            server.awaitOutput(Pattern.compile("table from 127.0.0.1:4599: 1 connections"), Duration.ofSeconds(30));
            EndpointSpec client = new EndpointSpec().role("client").mux(1).passphrase("rail-client").window(64)
                    .devName(c.devA()).ifconfig(c.innerA() + "/24").localPorts("1233:1235")
                    .remoteHost(net.ab.v4(net.b)).remotePorts("4460:4462").extra("-Y");
            started.add(TunnelEnd.start("client", Kind.UANYTUN_RAIL, net.a, client, c.logs().resolve("client.log"))
                    .awaitReady(TunnelEnd.READY_TIMEOUT));
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "uanytun-rail client -> janytun RAIL server");
            Traffic.PingResult p = Traffic.ping(net.a, c.innerB(), 20);
            assertEquals(20, p.received(), p.output());
            assertFalse(p.output().contains("DUP"), p.output());
            // the server answers on every link: each carried the 20 (and more) replies
            long[] replies = counted(net.a, 1233, 1235);
            System.out.println("RailIT server -> uanytun-rail client: bytes per link " + java.util.Arrays.toString(replies));
            for (long v : replies) {
                assertTrue(v >= 20 * 84, "replies on every link: " + java.util.Arrays.toString(replies));
            }
            var conn = CtlIT.show(socket(c, "server")).get("connections").get(0);
            assertEquals(3, conn.get("links").size(), "the served connection has a path per link: " + conn);
        } finally {
            for (AutoCloseable a : started.reversed()) {
                a.close();
            }
        }
    }
}
