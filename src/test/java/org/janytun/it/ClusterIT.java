package org.janytun.it;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.janytun.it.tools.SyncPeek;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An anycast cluster (SYNC.md §1.9, SPEC §12.4): three nodes hold the same anycast address and share the client's
 * connection over the sync protocol ({@code -S/-I/-M}, full mesh); a router namespace sends the anycast address
 * (and the route back to the client's inner prefix) to one node at a time. While a ping stream (every 10 ms) and
 * a paced TCP transfer with a SHA-256 check run from the client to a backend behind the cluster, the router moves
 * the route from node to node, onto and off the third node (janytun in the mixed cases). Measured and reported
 * per switch-over: pings lost, the time to the first reply, the longest gap between replies, replay drops at the
 * client and at the nodes. Asserted: after every switch the new node serves (its tun counters move, pings are
 * answered, the TCP transfer is still in flight), the TCP data arrive intact, no node and (in a stable cluster) no
 * client drops anything as a replay, and only the first node had to learn the client from a packet: the others
 * serve from synced state, which their sync listeners are seen to hold. The mesh is complete before the client
 * starts: a connector that joins later applies a dump whose seq_nr overwrites its node's send counter (SYNC.md §1.7
 * step 4), and with the reference that made the client drop N1's next packets as replays.
 *
 * <p>Replace step (cases with a replacement): while traffic flows on N1, N2 is stopped (by PID) and another
 * daemon takes its place with the same options. It must hold the client's connection from sync before any packet
 * reached it. Traffic stays on N1 until N1 and N3 have reconnected to the new node (their 10 s retry) and applied
 * its dump - the moment a real replacement is dangerous - and then moves onto the new node and around. With janytun
 * as the replacement this step is strict (every switch answered, no replay drop, TCP intact). With the reference it
 * is measured only: the dump of the new, idle node carries a counter older than the active node's, anytun applies
 * it, and the client drops the active node's packets as replays until its counter has caught up again.
 *
 * <p>Topology: namespaces R (router), C (client), N1-N3 (nodes), B (backend); veth C-R, Nk-R, B-R
 * (10.201.71-75.0/24, R = .1). The anycast address is on every node's {@code lo}; every node forwards, has a tun
 * device with the same inner address and routes the client's inner /32 to its connection ({@code -R}); all run
 * with {@code -w 64}, so that a replay is dropped (and logged) rather than accepted. The report goes to standard
 * output and to {@code target/it-logs/ClusterIT/report.txt}.
 */
class ClusterIT {
    private static final String ANYCAST = "10.50.100.1";
    private static final int UDP_PORT = 4444;
    private static final int SYNC_PORT = 2342;
    private static final String NODE_INNER = "192.168.77.1/24";
    private static final String CLIENT_INNER = "192.168.77.2";
    private static final String INNER_NET = "192.168.77.0/24";
    private static final String PASSPHRASE = "cluster_it_shared_passphrase";
    private static final int WINDOW = 64;
    private static final String NODE_DEV = "jtn77";
    private static final String CLIENT_DEV = "jtc77";
    private static final int SUBNET_C = 71;
    private static final int SUBNET_B = 75;
    private static final long DWELL_MS = 1500;
    private static final double PING_INTERVAL = 0.01;
    private static final long TCP_RATE = 1024 * 1024;
    /** Bound for a node to serve after a switch-over (liveness, not performance). */
    private static final Duration SERVE_TIMEOUT = Duration.ofSeconds(5);
    /** Bound for the full sync mesh: anytun's connectors retry every 10 s (SYNC.md §1.8). */
    private static final Duration MESH_TIMEOUT = Duration.ofSeconds(25);
    /** The active node first, then each switch-over: onto and off N3 twice, and through every pair. */
    private static final int[] SEQUENCE = {1, 2, 3, 1, 3, 2, 1};
    /** After the replacement (traffic on N1): onto the new N2, then around once the mesh is whole again. */
    private static final int[] AFTER_REPLACE = {1, 2, 3, 1, 2};
    /** Pings lost this far from a switch-over (estimated send time) count for it. */
    private static final double NEAR_MS = 1000;

    private static Netns router;
    private static Netns clientNs;
    private static Netns backend;
    private static final Netns[] NODES = new Netns[4];
    private static final VethLink[] NODE_LINKS = new VethLink[4];
    private static VethLink clientLink;
    private static VethLink backendLink;
    private static int round;

    /**
     * One configuration: the kinds of N1..N3, the client, what replaces N2 (null: no replace step), and whether
     * the nodes sync with a cluster secret ({@code --sync-secret-file}, janytun nodes only).
     */
    record ClusterCase(String title, List<Kind> nodes, Kind client, Kind replacement, boolean protectedSync) {
        ClusterCase(String title, List<Kind> nodes, Kind client, Kind replacement) {
            this(title, nodes, client, replacement, false);
        }

        ClusterCase {
            if (protectedSync && !nodes.stream().allMatch(k -> k == Kind.JANYTUN)) {
                throw new IllegalArgumentException("only janytun nodes sync with a cluster secret");
            }
            if (replacement != null && client == Kind.JANYTUN) {
                // janytun reports replay drops in 10 s summaries: they cannot be split into before/after
                throw new IllegalArgumentException("a replace step needs a client that logs each replay drop");
            }
        }

        @Override
        public String toString() {
            return title;
        }
    }

    static Stream<ClusterCase> cases() {
        Kind a = Kind.ANYTUN;
        Kind j = Kind.JANYTUN;
        Kind u = Kind.UANYTUN;
        return Stream.of(
                new ClusterCase("(a) reference: nodes anytun x3, client uanytun, N2 replaced by anytun",
                        List.of(a, a, a), u, a),
                new ClusterCase("(b) mixed: nodes anytun, anytun, janytun, client uanytun, N2 replaced by janytun",
                        List.of(a, a, j), u, j),
                new ClusterCase("(c) mixed: nodes anytun, anytun, janytun, client janytun", List.of(a, a, j), j, null),
                new ClusterCase("(d) janytun only: nodes janytun x3, client janytun", List.of(j, j, j), j, null),
                new ClusterCase("(e) janytun only, protected sync (--sync-secret-file): nodes janytun x3, client"
                        + " uanytun", List.of(j, j, j), u, null, true));
    }

    @BeforeAll
    static void network() throws IOException {
        Preflight.require();
        List<Netns> all = new ArrayList<>();
        router = Netns.create("R");
        all.add(router);
        clientNs = Netns.create("C");
        all.add(clientNs);
        backend = Netns.create("B");
        all.add(backend);
        for (int k = 1; k <= 3; k++) {
            NODES[k] = Netns.create("N" + k);
            all.add(NODES[k]);
        }
        for (Netns ns : all) {
            // set before the veths exist, so they inherit it: stale packets after a switch are not filtered
            ns.sysctl("net.ipv4.conf.all.rp_filter", "0");
            ns.sysctl("net.ipv4.conf.default.rp_filter", "0");
        }
        clientLink = VethLink.connect(router, clientNs, SUBNET_C);
        backendLink = VethLink.connect(router, backend, SUBNET_B);
        for (int k = 1; k <= 3; k++) {
            NODE_LINKS[k] = VethLink.connect(router, NODES[k], SUBNET_C + k);
        }
        for (Netns ns : List.of(router, NODES[1], NODES[2], NODES[3])) {
            ns.sysctl("net.ipv4.ip_forward", "1");
            ns.sysctl("net.ipv4.conf.all.send_redirects", "0");
        }
        clientNs.ip("route", "add", "default", "via", clientLink.v4(router));
        backend.ip("route", "add", "default", "via", backendLink.v4(router));
        for (int k = 1; k <= 3; k++) {
            NODES[k].ip("route", "add", "default", "via", NODE_LINKS[k].v4(router));
            NODES[k].ip("addr", "add", ANYCAST + "/32", "dev", "lo");
        }
        Path dir = ItEnv.logRoot().resolve("ClusterIT");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.txt"), "");
    }

    @AfterAll
    static void removeNetwork() {
        for (Netns ns : new Netns[] {NODES[1], NODES[2], NODES[3], backend, clientNs, router}) {
            if (ns != null) {
                ns.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void anycastSwitchOvers(ClusterCase cc) throws Exception {
        int n = ++round;
        Path logs = ItEnv.logRoot().resolve("ClusterIT").resolve(n + "-" + cc.nodes().stream().map(Kind::label)
                .collect(Collectors.joining("-")) + "-client-" + cc.client().label());
        Files.createDirectories(logs);
        try (Run run = new Run(cc, n, logs)) {
            try {
                run.execute();
            } catch (Throwable t) {
                run.publishPartial(t);
                throw t;
            }
        }
    }

    // -----------------------------------------------------------------------------------------------------------

    /** A switch-over (or another event) and what was measured around it. */
    private static final class Event {
        final String phase;
        final String what;
        final double atMillis;
        double firstReplyMs = Double.NaN;
        Boolean tcpInFlight;
        long clientReplayAt;
        long nodeReplayAt;
        long clientReplayDelta;
        long nodeReplayDelta;
        /** Losses and gaps are known (the ping stream has stopped). */
        boolean measured;
        int lost;
        double longestGapMs;

        Event(String phase, String what, double atMillis) {
            this.phase = phase;
            this.what = what;
            this.atMillis = atMillis;
        }
    }

    /** One case: its processes, events and report. close() stops everything it started, by PID. */
    private static final class Run implements AutoCloseable {
        private final ClusterCase cc;
        private final int number;
        private final Path logs;
        private final TunnelEnd[] nodes = new TunnelEnd[4];
        private final List<TunnelEnd> allNodeEnds = new ArrayList<>();
        private final List<AutoCloseable> started = new ArrayList<>();
        private final StringBuilder report = new StringBuilder();
        private final List<String> notes = new ArrayList<>();
        /** Every event of the case so far, in order. */
        private final List<Event> timeline = new ArrayList<>();
        private boolean published;
        /** UDP RcvbufErrors of C and N1..N3 when the case began (the namespaces outlive a case). */
        private final long[] udpBaseline = new long[4];
        private TunnelEnd client;
        private int active;
        private int replaced;
        private int replaceSent;
        private int replaceLost;
        private double t0;

        Run(ClusterCase cc, int number, Path logs) {
            this.cc = cc;
            this.number = number;
            this.logs = logs;
        }

        void execute() throws IOException {
            long caseStart = System.nanoTime();
            report.append("ClusterIT ").append(cc.title()).append('\n');
            udpBaseline[0] = udpRcvbufErrors(clientNs);
            for (int k = 1; k <= 3; k++) {
                udpBaseline[k] = udpRcvbufErrors(NODES[k]);
            }
            switchTo(1);
            for (int k = 1; k <= 3; k++) {
                nodes[k] = startNode(k, cc.nodes().get(k - 1), "");
            }
            for (int k = 1; k <= 3; k++) {
                awaitNodeReady(k);
            }
            // The mesh first, as in a real cluster: a connector that connects after the client has started gets a
            // dump whose seq_nr overwrites its node's own counter (SYNC.md §1.7 step 4) - with the reference, N1's
            // counter falls back to a stale value and the client drops N1's next packets as replays.
            long meshStart = System.nanoTime();
            awaitMesh(List.of(1, 2, 3), MESH_TIMEOUT);
            report.append(String.format(Locale.ROOT, "  full sync mesh (6 connections) up %.1f s after the nodes"
                    + " were ready%n", (System.nanoTime() - meshStart) / 1e9));
            EndpointSpec cspec = new EndpointSpec().role("right").passphrase(PASSPHRASE).window(WINDOW)
                    .remoteHost(ANYCAST).remotePort(UDP_PORT).devName(CLIENT_DEV).devType("tun")
                    .ifconfig(CLIENT_INNER + "/24");
            client = TunnelEnd.start("client", cc.client(), clientNs, cspec, logs.resolve("client.log"));
            started.add(client);
            client.awaitReady(TunnelEnd.READY_TIMEOUT);
            clientNs.ip("route", "add", "10.201." + SUBNET_B + ".0/24", "dev", CLIENT_DEV);
            Traffic.awaitPing(clientNs, backendAddr(), Traffic.PING_BUDGET, "client -> backend through N1");
            for (int k = 1; k <= 3; k++) {
                SyncState s = peek(k, "initial");
                report.append("  sync dump of N").append(k).append(" (").append(nodes[k].kind()).append("): ")
                        .append(s).append('\n');
            }
            if (cc.protectedSync()) {
                assertStrangersLearnNothing();
            }

            // Phase 1: switch-overs with a stable cluster.
            List<Event> events = new ArrayList<>();
            long maxBytes = TCP_RATE * 70; // stopped at the end of the phase; this is a bound
            PingStream pings = PingStream.start(clientNs, backendAddr(), PING_INTERVAL, Duration.ofSeconds(90),
                    logs.resolve("ping-1.log"));
            started.add(pings);
            Traffic.PacedTransfer tcp = Traffic.PacedTransfer.start(clientNs, backend, backendAddr(), 5301,
                    maxBytes, TCP_RATE, 1000 + number, Duration.ofSeconds(80), logs, "1");
            started.add(tcp);
            t0 = System.currentTimeMillis();
            events.add(event("switch", "start on N1 " + nodes[1].kind(), tcp));
            pings.awaitReplyAfter(t0 - 1000, SERVE_TIMEOUT, "ping stream through N1");
            for (int i = 1; i < SEQUENCE.length; i++) {
                Sleep.millis(DWELL_MS);
                events.add(switchOver("switch", SEQUENCE[i], pings, tcp, true));
            }
            Sleep.millis(DWELL_MS);
            double phaseEnd = System.currentTimeMillis();
            long clientReplaySwitching = clientReplays();
            pings.stop();
            String tcpResult = tcp.finish(Duration.ofSeconds(30));
            closeEvents(events, pings, phaseEnd);
            int sent = pings.transmitted();
            int lost = pings.losses().size();
            String stream1 = String.format(Locale.ROOT, "  ping stream 1: %d sent, %d lost (%d near the events above);"
                    + " TCP 1: %s, intact, in flight at every switch-over", sent, lost,
                    events.stream().mapToInt(e -> e.lost).sum(), describeTcp(tcpResult));

            // Phase 2: replace N2 while traffic flows on N1.
            String stream2 = null;
            if (cc.replacement() != null) {
                stream2 = replaceStep();
            }

            for (int k = 1; k <= 3; k++) {
                nodes[k].assertAlive();
            }
            client.assertAlive();
            StringBuilder kernel = new StringBuilder("  kernel drop counters (where lost packets went): client ")
                    .append(kernelDrops(clientNs, CLIENT_DEV, udpBaseline[0]));
            for (int k = 1; k <= 3; k++) {
                kernel.append("; N").append(k).append(label(k)).append(' ')
                        .append(kernelDrops(NODES[k], NODE_DEV, udpBaseline[k]));
            }
            notes.add(0, kernel.toString().strip());
            // Stop everything now (janytun writes its last drop summary at shutdown), then count.
            client.close();
            for (int k = 3; k >= 1; k--) {
                nodes[k].close();
            }
            long clientTotal = cc.client().replayDrops(client.process().output());
            StringBuilder totals = new StringBuilder("  replay drops over the whole run (logs after stop): client ")
                    .append(cc.client()).append(' ').append(clientTotal);
            long nodeTotal = 0;
            for (TunnelEnd e : allNodeEnds) {
                long d = e.kind().replayDrops(e.process().output());
                nodeTotal += d;
                totals.append("; ").append(e.label()).append(' ').append(e.kind()).append(' ').append(d);
            }

            report.append(table(timeline));
            report.append(stream1).append('\n');
            if (stream2 != null) {
                report.append(stream2).append('\n');
            }
            report.append(totals).append('\n');
            for (String note : notes) {
                report.append("  ").append(note).append('\n');
            }
            report.append(String.format(Locale.ROOT, "  case run time %.1f s%n%n",
                    (System.nanoTime() - caseStart) / 1e9));
            publish();

            // Assertions (after the report, so that a failing case is still measured).
            if (cc.replacement() == null) {
                clientReplaySwitching = clientTotal;
            }
            if (clientReplaySwitching != 0) {
                throw new AssertionError("the client (" + cc.client() + ") dropped " + clientReplaySwitching
                        + " packets as replays during the switch-overs\n" + report);
            }
            if (nodeTotal != 0) {
                throw new AssertionError("cluster nodes dropped " + nodeTotal + " packets as replays\n" + report);
            }
            if (lost * 10 > sent) {
                throw new AssertionError("the ping stream lost " + lost + " of " + sent + "\n" + report);
            }
            if (cc.replacement() == Kind.JANYTUN) {
                long inReplace = clientTotal - clientReplaySwitching;
                if (inReplace != 0) {
                    throw new AssertionError("after janytun replaced N2, the client dropped " + inReplace
                            + " packets as replays. A replacement must not pull any send counter back: anytun"
                            + " overwrites its own counter with the seq_nr of every sync frame it receives (SYNC.md"
                            + " §1.7 step 4), so the seq_nr janytun sends when N1 and N3 reconnect must be ahead of"
                            + " what they have sent since; and the client's window remembers what the old N2 sent"
                            + " under the same sender id, so janytun's own counter must start ahead of that too\n"
                            + report);
                }
                if (replaceLost * 10 > replaceSent) {
                    throw new AssertionError("with janytun in place of N2 the ping stream lost " + replaceLost
                            + " of " + replaceSent + "\n" + report);
                }
            }
            // N1 (the first in the list) met the client first; every other node must have served from sync
            for (TunnelEnd e : allNodeEnds.subList(1, allNodeEnds.size())) {
                long c = e.process().count(e.kind().remoteChangedLogLine());
                if (c != 0) {
                    throw new AssertionError(e.describe() + " learned the client from a packet (" + c
                            + " \"autodetected remote host\" lines) instead of from sync\n" + e.diagnostics(30));
                }
            }
        }

        /**
         * Stops N2 while traffic flows on N1, starts the replacement with the same options, waits (traffic still on
         * N1) until the whole mesh is back - N1 and N3 reconnect to the new N2 on their 10 s retry and apply its
         * dump - and then moves the traffic onto the new node and around. Strict (every switch-over answered, no
         * replay drop at the client, TCP intact) when the replacement is janytun; measured only when it is the
         * reference, whose seq overwrite breaks the active node at that reconnect (see the class comment).
         */
        private String replaceStep() {
            boolean strict = cc.replacement() == Kind.JANYTUN;
            List<Event> events = new ArrayList<>();
            PingStream pings = PingStream.start(clientNs, backendAddr(), PING_INTERVAL, Duration.ofSeconds(90),
                    logs.resolve("ping-2.log"));
            started.add(pings);
            Traffic.PacedTransfer tcp = Traffic.PacedTransfer.start(clientNs, backend, backendAddr(), 5302,
                    TCP_RATE * 80, TCP_RATE, 2000 + number, Duration.ofSeconds(90), logs, "2");
            started.add(tcp);
            pings.awaitReplyAfter(System.currentTimeMillis() - 1000, SERVE_TIMEOUT, "ping stream 2 through N1");
            Sleep.millis(500);
            Event stop = event("replace", "stop N2 " + nodes[2].kind() + " (traffic on N" + active + ")", tcp);
            events.add(stop);
            nodes[2].close();
            awaitGone(NODES[2], NODE_DEV, Duration.ofSeconds(10));
            replaced = 2;
            nodes[2] = startNode(2, cc.replacement(), "'");
            awaitNodeReady(2);
            events.add(event("replace", "N2' " + cc.replacement() + " up, gets N1's and N3's dumps",
                    tcp));
            long t = System.nanoTime();
            awaitConnectors(2, Duration.ofSeconds(15));
            SyncState learned = peek(2, "replacement");
            notes.add(String.format(Locale.ROOT, "N2' (%s) connected to N1 and N3 %.1f s after it was up; before any"
                    + " packet reached it, its sync dump holds: %s", cc.replacement(), (System.nanoTime() - t) / 1e9,
                    learned));
            long m = System.nanoTime();
            awaitMesh(List.of(1, 2, 3), MESH_TIMEOUT);
            events.add(event("replace", "N1, N3 reconnected to N2' (traffic on N1)", tcp));
            notes.add(String.format(Locale.ROOT, "N1 and N3 reconnected to N2' %.1f s after its connectors had",
                    (System.nanoTime() - m) / 1e9));
            for (int i = 1; i < AFTER_REPLACE.length; i++) {
                Sleep.millis(DWELL_MS);
                events.add(switchOver("replace", AFTER_REPLACE[i], pings, tcp, strict));
            }
            Sleep.millis(DWELL_MS);
            double end = System.currentTimeMillis();
            pings.stop();
            String tcpResult;
            try {
                tcpResult = describeTcp(tcp.finish(Duration.ofSeconds(strict ? 30 : 10))) + ", intact";
            } catch (AssertionError e) {
                if (strict) {
                    throw e;
                }
                tcpResult = "did not complete (" + e.getMessage().lines().findFirst().orElse("") + ")";
            }
            closeEvents(events, pings, end);
            for (int k = 1; k <= 3; k++) {
                notes.add("after the replace step, sync dump of N" + k + label(k) + " (" + nodes[k].kind() + "): "
                        + peek(k, "after-replace"));
            }
            replaceSent = pings.transmitted();
            replaceLost = pings.losses().size();
            return String.format(Locale.ROOT, "  ping stream 2: %d sent, %d lost; TCP 2: %s", replaceSent,
                    replaceLost, tcpResult);
        }

        /** Waits until node k's tunnel end is ready and its sync listener accepts connections. */
        private void awaitNodeReady(int k) {
            nodes[k].awaitReady(TunnelEnd.READY_TIMEOUT);
            long deadline = System.nanoTime() + TunnelEnd.READY_TIMEOUT.toNanos();
            while (NODES[k].run(Exec.SHORT, "ss", "-H", "-t", "-l", "-n", "sport = :" + SYNC_PORT).output().isBlank()) {
                nodes[k].assertAlive();
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("N" + k + " does not listen on sync port " + SYNC_PORT + "\n"
                            + nodes[k].diagnostics(30));
                }
                Sleep.millis(50);
            }
        }

        /** An event now, with the replay counters and the TCP state at this moment. */
        private Event event(String phase, String what, Traffic.PacedTransfer tcp) {
            Event e = new Event(phase, what, System.currentTimeMillis());
            timeline.add(e);
            e.tcpInFlight = tcp.inFlight();
            e.clientReplayAt = clientReplays();
            e.nodeReplayAt = nodeReplays();
            return e;
        }

        private TunnelEnd startNode(int k, Kind kind, String suffix) {
            String others = Arrays.stream(new int[] {1, 2, 3}).filter(j -> j != k)
                    .mapToObj(j -> NODE_LINKS[j].v4(NODES[j]) + ":" + SYNC_PORT).collect(Collectors.joining(","));
            EndpointSpec spec = new EndpointSpec().localAddr(ANYCAST).localPort(UDP_PORT).senderId(k).role("left")
                    .passphrase(PASSPHRASE).window(WINDOW).devName(NODE_DEV).devType("tun").ifconfig(NODE_INNER)
                    .extra("-S", Integer.toString(SYNC_PORT), "-I", nodeAddr(k), "-M", others, "-R",
                            CLIENT_INNER + "/32");
            if (cc.protectedSync()) {
                spec.extra("--sync-secret-file", secretFile().toString());
            }
            TunnelEnd e = TunnelEnd.start("N" + k + suffix, kind, NODES[k], spec,
                    logs.resolve("node" + k + (suffix.isEmpty() ? "" : "-replacement") + ".log"));
            started.add(e);
            allNodeEnds.add(e);
            return e;
        }

        /** Moves the anycast address and the route back to the client's inner prefix to node k, in one batch. */
        private void switchTo(int k) throws IOException {
            Path batch = logs.resolve("switch-to-N" + k + ".batch");
            Files.writeString(batch, "route replace " + ANYCAST + "/32 via " + nodeAddr(k) + "\n"
                    + "route replace " + INNER_NET + " via " + nodeAddr(k) + "\n");
            router.ip("-batch", batch.toString());
            active = k;
        }

        /**
         * Moves the traffic from the active node to node {@code to} and checks that {@code to} carries it (its tun
         * counters move). Strict: also that the client gets a ping reply and that the TCP transfer is in flight.
         */
        private Event switchOver(String phase, int to, PingStream pings, Traffic.PacedTransfer tcp, boolean strict) {
            int from = active;
            long[] before = tunCounters(to);
            Event e = event(phase, "N" + from + label(from) + " " + nodes[from].kind() + " -> N" + to + label(to)
                    + " " + nodes[to].kind(), tcp);
            try {
                switchTo(to);
            } catch (IOException ex) {
                throw new AssertionError(ex);
            }
            if (strict) {
                try {
                    pings.awaitReplyAfter(e.atMillis, SERVE_TIMEOUT, "after the switch-over " + e.what);
                } catch (AssertionError noReply) {
                    throw new AssertionError(noReply.getMessage().lines().findFirst().orElse("") + " (the client has"
                            + " dropped " + clientReplays() + " packets as replays so far)\n" + nodes[to].diagnostics(20)
                            + "\n" + client.diagnostics(10), noReply);
                }
                if (!e.tcpInFlight) {
                    throw new AssertionError("the TCP transfer had already ended before the switch-over " + e.what
                            + ": it no longer tests continuity\n" + tcp);
                }
            }
            long deadline = System.nanoTime() + SERVE_TIMEOUT.toNanos();
            while (true) {
                long[] now = tunCounters(to);
                if (now[0] > before[0] && now[1] > before[1]) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("after the switch-over " + e.what + " N" + to + " does not carry the"
                            + " traffic (tun rx/tx packets " + Arrays.toString(before) + " -> " + Arrays.toString(now)
                            + ")\n" + nodes[to].diagnostics(30));
                }
                Sleep.millis(20);
            }
            return e;
        }

        private String label(int k) {
            return k == replaced ? "'" : "";
        }

        /** Fills in losses, gaps and replay deltas of the events once the stream has stopped. */
        /** Replay drops logged from each event to the next (to now for the last one). */
        private void fillReplayDeltas(List<Event> events) {
            long clientNow = clientReplays();
            long nodesNow = nodeReplays();
            for (int i = 0; i < events.size(); i++) {
                Event e = events.get(i);
                boolean last = i == events.size() - 1;
                e.clientReplayDelta = (last ? clientNow : events.get(i + 1).clientReplayAt) - e.clientReplayAt;
                e.nodeReplayDelta = (last ? nodesNow : events.get(i + 1).nodeReplayAt) - e.nodeReplayAt;
            }
        }

        private void closeEvents(List<Event> events, PingStream pings, double endMillis) {
            List<PingStream.Loss> losses = pings.losses();
            fillReplayDeltas(events);
            for (Event e : events) {
                e.measured = true;
                e.longestGapMs = pings.longestGap(e.atMillis - 200, Math.min(endMillis, e.atMillis + NEAR_MS));
                PingStream.Reply r = pings.firstReplyAfter(e.atMillis);
                e.firstReplyMs = r == null ? Double.POSITIVE_INFINITY : r.atMillis() - e.atMillis;
            }
            for (PingStream.Loss l : losses) {
                Event nearest = null;
                for (Event e : events) {
                    double d = Math.abs(l.atMillis() - e.atMillis);
                    if (d <= NEAR_MS && (nearest == null || d < Math.abs(l.atMillis() - nearest.atMillis))) {
                        nearest = e;
                    }
                }
                if (nearest != null) {
                    nearest.lost++;
                }
            }
        }

        private long clientReplays() {
            return cc.client().replayDrops(client.process().output());
        }

        private long nodeReplays() {
            long sum = 0;
            for (TunnelEnd e : allNodeEnds) {
                sum += e.kind().replayDrops(e.process().output());
            }
            return sum;
        }

        /**
         * UDP datagrams the kernel dropped because the daemon's socket buffer was full (since the case began), and
         * packets the tun device dropped because the daemon did not read them in time: the two places a stalled
         * daemon loses packets.
         */
        private String kernelDrops(Netns ns, String dev, long udpBaseline) {
            Exec.Result tx = ns.run(Exec.SHORT, "cat", "/sys/class/net/" + dev + "/statistics/tx_dropped");
            return "udp-rcvbuf " + (udpRcvbufErrors(ns) - udpBaseline) + ", tun-tx-dropped "
                    + (tx.ok() ? tx.output().strip() : "?");
        }

        /** The namespace's UDP RcvbufErrors counter (/proc/net/snmp), or 0 if it cannot be read. */
        private static long udpRcvbufErrors(Netns ns) {
            String snmp = ns.run(Exec.SHORT, "cat", "/proc/net/snmp").output();
            List<String> udp = snmp.lines().filter(l -> l.startsWith("Udp:")).toList();
            if (udp.size() >= 2) {
                List<String> names = List.of(udp.get(0).split("\\s+"));
                String[] values = udp.get(1).split("\\s+");
                int i = names.indexOf("RcvbufErrors");
                if (i > 0 && i < values.length) {
                    return Long.parseLong(values[i]);
                }
            }
            return 0;
        }

        /** rx and tx packet counters of node k's tun device. */
        private long[] tunCounters(int k) {
            String base = "/sys/class/net/" + NODE_DEV + "/statistics/";
            Exec.Result r = NODES[k].run(Exec.SHORT, "cat", base + "rx_packets", base + "tx_packets");
            if (!r.ok()) {
                return new long[] {-1, -1};
            }
            String[] v = r.output().strip().split("\\s+");
            return new long[] {Long.parseLong(v[0]), Long.parseLong(v[1])};
        }

        /** Waits until every listed node has an established sync connection to each other node's listener. */
        private void awaitMesh(List<Integer> which, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                List<String> missing = new ArrayList<>();
                for (int k : which) {
                    missing.addAll(missingConnectors(k));
                }
                if (missing.isEmpty()) {
                    return;
                }
                for (int k = 1; k <= 3; k++) {
                    nodes[k].assertAlive();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the sync mesh is not complete within " + timeout.toSeconds()
                            + " s; missing: " + missing + "\n" + nodes[1].diagnostics(15) + "\n"
                            + nodes[2].diagnostics(15) + "\n" + nodes[3].diagnostics(15));
                }
                Sleep.millis(200);
            }
        }

        private void awaitConnectors(int k, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!missingConnectors(k).isEmpty()) {
                nodes[k].assertAlive();
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("N" + k + " has no sync connection to " + missingConnectors(k)
                            + " within " + timeout.toSeconds() + " s\n" + nodes[k].diagnostics(30));
                }
                Sleep.millis(100);
            }
        }

        /** The "Nk -> Nj" sync connections (k's connector to j's listener) that are not established. */
        private List<String> missingConnectors(int k) {
            String out = NODES[k].run(Exec.SHORT, "ss", "-H", "-t", "-n", "state", "established").output();
            List<String> missing = new ArrayList<>();
            for (int j = 1; j <= 3; j++) {
                if (j == k) {
                    continue;
                }
                String peer = nodeAddr(j) + ":" + SYNC_PORT;
                // a JVM's sockets are dual-stack: ss shows its IPv4 peers as [::ffff:a.b.c.d]:port
                boolean found = out.lines().map(l -> l.trim().split("\\s+"))
                        .anyMatch(f -> f.length >= 4 && f[f.length - 1].replace("[::ffff:", "").replace("]", "")
                                .equals(peer));
                if (!found) {
                    missing.add("N" + k + "->N" + j);
                }
            }
            return missing;
        }

        /** The cluster secret of a protected case: written once, readable by root only. */
        private Path secretFile() {
            Path f = logs.resolve("cluster.secret");
            try {
                if (!Files.exists(f)) {
                    byte[] secret = new byte[32];
                    new java.security.SecureRandom().nextBytes(secret);
                    Files.writeString(f, java.util.Base64.getEncoder().encodeToString(secret) + "\n");
                    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return f;
        }

        /**
         * A protected cluster: a plain reader on every node's sync port (anytun-showtables through nc, or a node
         * without the secret) gets not a single frame, from the node's own namespace and from the router's.
         */
        private void assertStrangersLearnNothing() {
            for (int k = 1; k <= 3; k++) {
                for (Netns from : List.of(NODES[k], router)) {
                    Exec.Result r = Exec.run(Duration.ofSeconds(20), from.wrap(JavaTool.command(SyncPeek.class,
                            nodeAddr(k), Integer.toString(SYNC_PORT), "400", "2000")));
                    if (!r.output().contains("END 0") || r.output().contains("FRAME")) {
                        throw new AssertionError("a stranger read N" + k + "'s protected sync port from "
                                + from.name() + ":\n" + r.output());
                    }
                }
            }
            report.append("  protected sync: a plain reader got 0 frames from each node's port (from the node's own"
                    + " namespace and from the router's)\n");
        }

        /** Reads node k's sync dump (SyncPeek, from inside its namespace) and finds the client's connection. */
        private SyncState peek(int k, String tag) {
            List<String> args = new ArrayList<>(List.of(nodeAddr(k), Integer.toString(SYNC_PORT), "400", "4000"));
            if (cc.protectedSync()) {
                args.add(secretFile().toString());
            }
            Exec.Result r = Exec.run(Duration.ofSeconds(20), NODES[k].wrap(JavaTool.command(SyncPeek.class,
                    args.toArray(String[]::new))));
            try {
                Files.writeString(logs.resolve("sync-dump-N" + k + "-" + tag + ".txt"), r.output());
            } catch (IOException ignored) {
                // diagnostics only
            }
            if (!r.ok()) {
                throw new AssertionError("cannot read N" + k + "'s sync dump: " + r.describe() + "\n"
                        + nodes[k].diagnostics(20));
            }
            SyncState s = SyncState.find(r.output(), clientLink.v4(clientNs));
            if (s == null) {
                throw new AssertionError("N" + k + " (" + nodes[k].kind() + ") does not hold the client's connection"
                        + " (endpoint " + clientLink.v4(clientNs) + ") in its sync dump:\n" + r.output());
            }
            return s;
        }

        /** After a failure: publishes what was measured up to it (without the losses, which need a stopped stream). */
        void publishPartial(Throwable failure) {
            if (published) {
                return;
            }
            if (!timeline.isEmpty()) {
                try {
                    fillReplayDeltas(timeline.stream().filter(e -> !e.measured).toList());
                } catch (RuntimeException | AssertionError ignored) {
                    // best effort: the client may be gone
                }
                report.append(table(timeline));
            }
            for (String note : notes) {
                report.append("  ").append(note).append('\n');
            }
            List<String> lines = String.valueOf(failure.getMessage()).lines().filter(l -> !l.isBlank()).toList();
            report.append("  FAILED: ").append(lines.isEmpty() ? failure.toString() : lines.get(0)).append('\n');
            if (lines.size() > 1) {
                report.append("          ... ").append(lines.get(lines.size() - 1).strip()).append('\n');
            }
            report.append('\n');
            try {
                publish();
            } catch (IOException ignored) {
                // the failure itself is what matters
            }
        }

        private void publish() throws IOException {
            published = true;
            System.out.print(report);
            Files.writeString(logs.resolve("report.txt"), report);
            Files.writeString(ItEnv.logRoot().resolve("ClusterIT").resolve("report.txt"), report, CREATE, APPEND);
        }

        private String table(List<Event> events) {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "  %-3s %-8s %-46s %7s %9s %6s %8s %4s %14s%n", "#", "phase",
                    "switch-over / event", "at (s)", "1st reply", "lost", "gap (ms)", "TCP", "replay c/nodes"));
            int i = 0;
            for (Event e : events) {
                i++;
                sb.append(String.format(Locale.ROOT, "  %-3d %-8s %-46s %7.2f %9s %6s %8s %4s %14s%n", i, e.phase,
                        e.what, (e.atMillis - t0) / 1000.0, ms(e.firstReplyMs), e.measured ? e.lost : "-",
                        e.measured ? String.format(Locale.ROOT, "%.0f", e.longestGapMs) : "-",
                        e.tcpInFlight == null ? "-" : e.tcpInFlight ? "yes" : "no",
                        e.clientReplayDelta + "/" + e.nodeReplayDelta));
            }
            sb.append("  (1st reply: the first ping reply after the event; lost: pings whose estimated send time is within ")
                    .append((int) NEAR_MS)
                    .append(" ms of the event; gap: longest time between two replies from 200 ms before to ")
                    .append((int) NEAR_MS).append(" ms after; replay: drops logged until the next event")
                    .append(cc.nodes().contains(Kind.JANYTUN) || cc.client() == Kind.JANYTUN
                            || cc.replacement() == Kind.JANYTUN ? ", janytun's in 10 s summaries, so they may show"
                                    + " up late" : "")
                    .append(")\n");
            return sb.toString();
        }

        private static String ms(double v) {
            if (Double.isNaN(v)) {
                return "-";
            }
            if (Double.isInfinite(v)) {
                return "none";
            }
            return v < 10_000 ? String.format(Locale.ROOT, "%.0f ms", v) : String.format(Locale.ROOT, "%.1f s",
                    v / 1000);
        }

        @Override
        public void close() {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception | AssertionError ignored) {
                    // the rest still gets stopped
                }
            }
        }
    }

    /** The client's connection as a node's sync dump shows it (SYNC.md §1.4). */
    record SyncState(int mux, long window, long seq, String endpoint) {
        private static final Pattern CONNECTION = Pattern.compile(
                "^FRAME 22 serialization::archive \\d+ 0 0 10 connection 0 0 (\\d+) .* (\\d+) (\\d+) \\d+ (\\S+) (\\d+)$");

        static SyncState find(String dump, String host) {
            for (String line : dump.lines().toList()) {
                Matcher m = CONNECTION.matcher(line.strip());
                if (m.matches() && m.group(4).equals(host)) {
                    return new SyncState(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)),
                            Long.parseLong(m.group(3)), m.group(4) + ":" + m.group(5));
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "connection mux " + mux + ", window " + window + ", seq " + seq + ", remote " + endpoint;
        }
    }

    /** "bytes sha256" as "N bytes (sha256 0123456789ab...)". */
    private static String describeTcp(String result) {
        String[] p = result.split(" ");
        return p[0] + " bytes (sha256 " + p[1].substring(0, 12) + "...)";
    }

    private static String nodeAddr(int k) {
        return NODE_LINKS[k].v4(NODES[k]);
    }

    private static String backendAddr() {
        return backendLink.v4(backend);
    }

    private static void awaitGone(Netns ns, String dev, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ns.linkExists(dev)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(dev + " still exists in " + ns.name() + " " + timeout.toSeconds()
                        + " s after its daemon was stopped");
            }
            Sleep.millis(50);
        }
    }
}
