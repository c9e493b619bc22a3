package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

/**
 * The sequence lease against a real uanytun with a replay window ({@code -w 64}): janytun is restarted 10 times
 * with the same key, every other time with {@code kill -9}. After each start the very first ping must pass (a
 * janytun that started again at sequence number 0 would be dropped by uanytun as replays), and the datagrams janytun
 * sent, captured by a relay on the way, never repeat a (seq, sender id, mux) under the key: no keystream is reused.
 */
class SeqLeaseIT {
    private static final int RESTARTS = 10;
    private static final int PORT_A = 5711;
    private static final int PORT_B = 5712;
    private static final int RELAY = 5713;
    private static final String INNER_A = "10.78.1.1";
    private static final String INNER_B = "10.78.1.2";
    private static final Pattern STARTED = Pattern.compile("janytun started");
    private static final Pattern FROM = Pattern.compile("mux 0 sends from sequence number (\\d+)");
    private static TestNet net;

    @RegisterExtension
    static final SharedTestNet NET = new SharedTestNet(n -> net = n);

    @Test
    void restartsIncludingKill9NeverRepeatASequenceNumberAndThePeerAcceptsTheFirstPacket() throws Exception {
        Path dir = ItEnv.logRoot().resolve("SeqLeaseIT");
        deleteTree(dir);
        Files.createDirectories(dir);
        Path stateDir = dir.resolve("state");
        EndpointSpec right = new EndpointSpec().role("right").key(Scenarios.KEY128).salt(Scenarios.SALT).window(64)
                .devName("tunlB").ifconfig(INNER_B + "/24").localPort(PORT_B).remoteHost(net.ab.v4(net.a))
                .remotePort(RELAY);
        EndpointSpec left = new EndpointSpec().role("left").key(Scenarios.KEY128).salt(Scenarios.SALT).window(64)
                .devName("tunlA").ifconfig(INNER_A + "/24").localPort(PORT_A).remoteHost(net.ab.v4(net.a))
                .remotePort(RELAY).extra("--state-dir", stateDir.toString());
        List<Long> starts = new ArrayList<>();
        try (ReplayProbe relay = ReplayProbe.start(net.a, RELAY, net.ab.v4(net.b), PORT_B, dir);
             TunnelEnd peer = TunnelEnd.start("right", Kind.UANYTUN, net.b, right, dir.resolve("uanytun.log"))
                     .awaitReady(TunnelEnd.READY_TIMEOUT)) {
            for (int run = 0; run < RESTARTS; run++) {
                boolean kill9 = run % 2 == 1;
                try (TunnelEnd j = TunnelEnd.start("left" + run, Kind.JANYTUN, net.a, left,
                        dir.resolve("janytun-" + run + ".log"))) {
                    j.awaitReady(TunnelEnd.READY_TIMEOUT);
                    j.process().awaitOutput(STARTED, Duration.ofSeconds(20));
                    Matcher m = j.process().awaitOutput(FROM, Duration.ofSeconds(1));
                    starts.add(Long.parseLong(m.group(1)));
                    Traffic.PingResult first = Traffic.ping(net.a, INNER_B, 1);
                    assertEquals(1, first.received(), "run " + run + ": the first ping after the start passes\n"
                            + first.output() + "\n" + j.diagnostics(20) + "\n" + peer.diagnostics(20));
                    Traffic.PingResult more = Traffic.ping(net.a, INNER_B, 3);
                    assertEquals(3, more.received(), "run " + run + "\n" + more.output());
                    if (kill9) {
                        ProcessHandle h = ProcessHandle.of(j.pid()).orElseThrow();
                        h.destroyForcibly();
                        h.onExit().get(10, TimeUnit.SECONDS);
                    }
                }
                awaitGone("tunlA");
                peer.assertAlive();
            }
            // what janytun sent, as the relay saw it: no (seq, sender id, mux) twice under the one key
            Map<Long, Integer> seen = new HashMap<>();
            List<Path> captured;
            try (Stream<Path> s = Files.list(dir.resolve("captured"))) {
                captured = s.filter(p -> p.toString().endsWith(".bin")).sorted().toList();
            }
            for (Path p : captured) {
                ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p));
                long seq = Integer.toUnsignedLong(b.getInt(0));
                int sender = b.getShort(4) & 0xFFFF;
                int mux = b.getShort(6) & 0xFFFF;
                long id = seq << 32 | (long) sender << 16 | mux;
                Integer before = seen.put(id, seen.size());
                assertTrue(before == null, "(seq " + seq + ", sender id " + sender + ", mux " + mux + ") sent twice: "
                        + p.getFileName());
            }
            assertTrue(captured.size() >= RESTARTS * 4, "the relay saw the pings: " + captured.size() + " datagrams");
        }
        for (int i = 1; i < starts.size(); i++) {
            assertTrue(starts.get(i) > starts.get(i - 1), "each start begins past the previous one: " + starts);
        }
        System.out.println("SeqLeaseIT: " + RESTARTS + " restarts (5 with kill -9), first sequence numbers " + starts);
    }

    private static void awaitGone(String dev) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (net.a.linkExists(dev)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(dev + " still exists 10 s after janytun ended");
            }
            Sleep.millis(50);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
