package org.janytun.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.janytun.it.tools.TcpBlast;

/** Traffic checks through a tunnel: ping (v4/v6), neighbour (ARP) entries, bulk TCP with a checksum. */
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
