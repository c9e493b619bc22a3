package org.janytun.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.janytun.it.tools.TcpBlast;
import org.janytun.it.tools.UdpBurst;

/**
 * Traffic checks through a tunnel: ping (v4/v6), neighbour (ARP) entries, bulk TCP with a checksum, bursts of UDP
 * datagrams checked one by one.
 */
public final class Traffic {
    /** Size of the bulk TCP transfer. */
    public static final long TCP_BYTES = 10L * 1024 * 1024;
    /** Bound for the whole TCP transfer (both tools). */
    public static final Duration TCP_TIMEOUT = Duration.ofSeconds(60);
    /** How long to keep retrying the first ping (the far end may still be learning the endpoint). */
    public static final Duration PING_BUDGET = Duration.ofSeconds(10);

    private static final Pattern PING_STATS = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Pattern RESULT = Pattern.compile("^RESULT (\\d+) ([0-9a-f]{64})$");

    private Traffic() {}

    /** Outcome of one ping run. */
    public record PingResult(int transmitted, int received, String output) {
        public boolean anyReply() {
            return received > 0;
        }
    }

    /** One bounded ping run: {@code ping [-6] -n -q -c count -W 1 -i 0.2 -w (deadline) dst} in {@code from}. */
    public static PingResult ping(Netns from, String dst, int count) {
        List<String> argv = new ArrayList<>(List.of(ItEnv.requireBinary("ping", "iputils-ping")));
        if (dst.contains(":")) {
            argv.add("-6");
        }
        int deadline = 2 + (count + 4) / 5;
        argv.addAll(List.of("-n", "-q", "-c", Integer.toString(count), "-W", "1", "-i", "0.2",
                "-w", Integer.toString(deadline), dst));
        Exec.Result r = Exec.run(Duration.ofSeconds(deadline + 5L), from.wrap(argv));
        Matcher m = PING_STATS.matcher(r.output());
        if (!m.find()) {
            return new PingResult(0, 0, r.describe());
        }
        return new PingResult(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), r.describe());
    }

    /**
     * Pings {@code dst} from {@code from} (3 echo requests a run) until a run gets a reply, for at most
     * {@code budget}. Fails with the last output and {@code context} otherwise.
     */
    public static PingResult awaitPing(Netns from, String dst, Duration budget, String context) {
        long deadline = System.nanoTime() + budget.toNanos();
        PingResult last;
        int attempts = 0;
        do {
            last = ping(from, dst, 3);
            attempts++;
            if (last.anyReply()) {
                return last;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no ping reply from " + dst + " (from namespace " + from.name() + ") in " + attempts
                + " attempts / " + budget.toSeconds() + " s" + (context.isEmpty() ? "" : ": " + context) + "\n"
                + last.output());
    }

    /** Asserts that {@code ns} has a neighbour entry for {@code addr} on {@code dev} with link address {@code mac}. */
    public static void assertNeighbour(Netns ns, String dev, String addr, String mac) {
        String out = ns.ip("neigh", "show", "to", addr, "dev", dev);
        if (!out.toLowerCase().contains("lladdr " + mac.toLowerCase())) {
            throw new AssertionError("namespace " + ns.name() + " has no neighbour entry " + addr + " lladdr " + mac
                    + " on " + dev + "; ip neigh shows: " + out.strip());
        }
    }

    /**
     * Sends {@link #TCP_BYTES} pseudo-random bytes from {@code clientNs} to a server bound to {@code serverAddr}
     * (a tunnel address) in {@code serverNs}, and asserts that the server received exactly those bytes (length and
     * SHA-256). Tool output goes to {@code logDir}.
     */
    public static void tcpTransfer(Netns clientNs, Netns serverNs, String serverAddr, int port, long seed,
            Path logDir) {
        long timeoutS = TCP_TIMEOUT.toSeconds();
        try (ManagedProcess server = ManagedProcess.start("tcp server in " + serverNs.name(),
                serverNs.wrap(JavaTool.command(TcpBlast.class, "server", serverAddr, Integer.toString(port),
                        Long.toString(timeoutS))),
                logDir.resolve("tcp-server.log"), Map.of())) {
            server.awaitOutput(Pattern.compile("^listening"), Duration.ofSeconds(20));
            try (ManagedProcess client = ManagedProcess.start("tcp client in " + clientNs.name(),
                    clientNs.wrap(JavaTool.command(TcpBlast.class, "client", serverAddr, Integer.toString(port),
                            Long.toString(TCP_BYTES), Long.toString(seed), Long.toString(timeoutS))),
                    logDir.resolve("tcp-client.log"), Map.of())) {
                int cs = client.awaitExit(TCP_TIMEOUT.plusSeconds(10));
                int ss = server.awaitExit(Duration.ofSeconds(15));
                String sent = result(client);
                String got = result(server);
                if (cs != 0 || ss != 0 || sent == null || got == null) {
                    throw new AssertionError("TCP transfer to " + serverAddr + ":" + port + " failed (client status "
                            + cs + ", server status " + ss + ")\n" + client.diagnostics(10) + "\n"
                            + server.diagnostics(10));
                }
                if (!sent.equals(got)) {
                    throw new AssertionError("TCP transfer corrupted: sent " + sent + ", received " + got);
                }
                if (!sent.startsWith(TCP_BYTES + " ")) {
                    throw new AssertionError("TCP transfer incomplete: " + sent);
                }
            }
        }
    }

    /**
     * A TCP transfer with a checksum that runs in the background, paced to {@code bytesPerSecond} so that it is
     * still in flight while the test changes the network under it (e.g. route switch-overs), until {@link #finish}
     * tells the client to stop sending (a stop file) or it has sent its maximum. finish() then waits (bounded) and
     * asserts that the server got exactly what the client sent (length and SHA-256).
     */
    public static final class PacedTransfer implements AutoCloseable {
        private final ManagedProcess server;
        private final ManagedProcess client;
        private final Path stopFile;
        private final String target;

        private PacedTransfer(ManagedProcess server, ManagedProcess client, Path stopFile, String target) {
            this.server = server;
            this.client = client;
            this.stopFile = stopFile;
            this.target = target;
        }

        /**
         * Starts the server in {@code serverNs} bound to {@code serverAddr}, then the client in {@code clientNs}
         * (at most {@code maxBytes}), and returns once the TCP connection is up. {@code timeout} bounds the whole
         * transfer.
         */
        public static PacedTransfer start(Netns clientNs, Netns serverNs, String serverAddr, int port, long maxBytes,
                long bytesPerSecond, long seed, Duration timeout, Path logDir, String tag) {
            String t = Long.toString(timeout.toSeconds());
            Path stop = logDir.resolve("tcp-stop-" + tag).toAbsolutePath();
            try {
                java.nio.file.Files.deleteIfExists(stop);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ManagedProcess server = ManagedProcess.start("tcp server " + tag, serverNs.wrap(JavaTool.command(
                    TcpBlast.class, "server", serverAddr, Integer.toString(port), t)),
                    logDir.resolve("tcp-server-" + tag + ".log"), Map.of());
            ManagedProcess client = null;
            try {
                server.awaitOutput(Pattern.compile("^listening"), Duration.ofSeconds(20));
                client = ManagedProcess.start("tcp client " + tag, clientNs.wrap(JavaTool.command(TcpBlast.class,
                        "client", serverAddr, Integer.toString(port), Long.toString(maxBytes), Long.toString(seed), t,
                        Long.toString(bytesPerSecond), stop.toString())), logDir.resolve("tcp-client-" + tag + ".log"),
                        Map.of());
                client.awaitOutput(Pattern.compile("^connected"), Duration.ofSeconds(20));
                return new PacedTransfer(server, client, stop, serverAddr + ":" + port);
            } catch (RuntimeException | AssertionError e) {
                if (client != null) {
                    client.close();
                }
                server.close();
                throw e;
            }
        }

        /** True while the client is still sending or waiting for the server to close. */
        public boolean inFlight() {
            return client.isAlive();
        }

        /**
         * Stops the sending, waits for both ends (bounded) and asserts a non-empty, intact transfer; returns
         * "bytes sha256".
         */
        public String finish(Duration timeout) {
            try {
                java.nio.file.Files.writeString(stopFile, "stop\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            int cs = client.awaitExit(timeout);
            int ss = server.awaitExit(Duration.ofSeconds(15));
            String sent = result(client);
            String got = result(server);
            if (cs != 0 || ss != 0 || sent == null || got == null) {
                throw new AssertionError("TCP transfer to " + target + " failed (client status " + cs
                        + ", server status " + ss + ")\n" + client.diagnostics(10) + "\n" + server.diagnostics(10));
            }
            if (!sent.equals(got)) {
                throw new AssertionError("TCP transfer to " + target + " corrupted or cut: sent " + sent
                        + ", received " + got);
            }
            if (sent.startsWith("0 ")) {
                throw new AssertionError("TCP transfer to " + target + " sent nothing");
            }
            return sent;
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    private static final Pattern UDP_RESULT = Pattern.compile("^RESULT (\\d+) (\\d+) (\\d+)$");

    /**
     * Sends {@code count} datagrams in bursts of 64 from {@code clientNs} to {@code serverAddr} in {@code serverNs}
     * ({@link UdpBurst}); asserts that every datagram that arrived is intact and in order, and that at least half
     * arrived (UDP may lose some; none of the checks depends on timing beyond that).
     */
    public static void udpBursts(Netns clientNs, Netns serverNs, String serverAddr, int port, int count,
            Path logDir, String label) {
        try (ManagedProcess server = ManagedProcess.start("udp server in " + serverNs.name(),
                serverNs.wrap(JavaTool.command(UdpBurst.class, "server", serverAddr, Integer.toString(port),
                        Integer.toString(count), "30")),
                logDir.resolve("udp-server-" + label + ".log"), Map.of())) {
            server.awaitOutput(Pattern.compile("^listening"), Duration.ofSeconds(20));
            try (ManagedProcess client = ManagedProcess.start("udp client in " + clientNs.name(),
                    clientNs.wrap(JavaTool.command(UdpBurst.class, "client", serverAddr, Integer.toString(port),
                            Integer.toString(count))),
                    logDir.resolve("udp-client-" + label + ".log"), Map.of())) {
                int cs = client.awaitExit(Duration.ofSeconds(30));
                int ss = server.awaitExit(Duration.ofSeconds(40));
                Matcher m = null;
                for (String line : server.output().lines().toList()) {
                    Matcher r = UDP_RESULT.matcher(line.strip());
                    if (r.matches()) {
                        m = r;
                    }
                }
                if (cs != 0 || ss != 0 || m == null) {
                    throw new AssertionError("UDP bursts to " + serverAddr + ":" + port + " failed (client status "
                            + cs + ", server status " + ss + ")\n" + client.diagnostics(10) + "\n"
                            + server.diagnostics(10));
                }
                int received = Integer.parseInt(m.group(1));
                int bad = Integer.parseInt(m.group(2));
                int outOfOrder = Integer.parseInt(m.group(3));
                if (bad != 0 || outOfOrder != 0 || received < count / 2) {
                    throw new AssertionError("UDP bursts " + label + " to " + serverAddr + ": of " + count
                            + " sent, " + received + " arrived, " + bad + " altered, " + outOfOrder
                            + " out of order");
                }
            }
        }
    }

    private static String result(ManagedProcess p) {
        for (String line : p.output().lines().toList()) {
            Matcher m = RESULT.matcher(line.strip());
            if (m.matches()) {
                return m.group(1) + " " + m.group(2);
            }
        }
        return null;
    }
}
