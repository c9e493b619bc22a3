package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sync protocol on the wire between janytun and Debian's anytun, both ways, in one namespace: each listens
 * ({@code -S}) and connects to the other ({@code -M}). Then each node's dump holds the other's connection and
 * routes, as the real anytun-showtables reads it, and the real anytun re-sends our records field for field. The
 * data path of a cluster is {@link ClusterIT}'s.
 */
class SyncWireIT {
    private static final Duration READY = Duration.ofSeconds(30);
    private static final String PASS = "Creating_VPN_Tunnels_With_Anytun_Is_Easy";
    private static Netns ns;

    @BeforeAll
    static void network() {
        Preflight.require();
        ns = Netns.create("SW");
        ns.ip("addr", "add", "10.77.0.1/32", "dev", "lo");
        ns.ip("addr", "add", "10.77.0.2/32", "dev", "lo");
    }

    @AfterAll
    static void removeNetwork() {
        if (ns != null) {
            ns.close();
        }
    }

    /** What the sync port at {@code host:port} sends within 2 s (a dump: it sends nothing more unasked). */
    private static String dump(String host, int port) {
        Exec.Result r = ns.run(Duration.ofSeconds(10), "timeout", "2", "bash", "-c",
                "exec 3<>/dev/tcp/" + host + "/" + port + "; cat <&3");
        return r.output();
    }

    /** The same through Debian's anytun-showtables. */
    private static List<String> showtables(String host, int port) {
        Exec.Result r = ns.run(Duration.ofSeconds(10), "bash", "-c", "exec 3<>/dev/tcp/" + host + "/" + port
                + "; timeout 2 cat <&3 | " + ItEnv.requireBinary("anytun-showtables", "anytun"));
        return r.output().lines().filter(l -> !l.startsWith("uncaught exception")).sorted().toList();
    }

    private static List<SyncRecord> decode(String wire) throws Exception {
        byte[] b = wire.getBytes(StandardCharsets.ISO_8859_1);
        List<SyncRecord> out = new ArrayList<>();
        for (int pos = 0; pos < b.length; ) {
            int len = Integer.parseInt(new String(b, pos, 5, StandardCharsets.US_ASCII));
            out.add(SyncCodec.decodeBody(b, pos + 6, len));
            pos += 6 + len;
        }
        return out;
    }

    /** Records without their sequence counters, which each node tells as it pleases. */
    private static List<String> withoutSeq(List<SyncRecord> records) {
        return records.stream().map(r -> r instanceof ConnectionRecord c ? c.withSeqNr(0).toString()
                : r.toString()).toList();
    }

    @Test
    void janytunAndAnytunTakeEachOthersState() throws Exception {
        Path logs = ItEnv.logRoot().resolve("SyncWireIT");
        List<String> j = new ArrayList<>(Kind.JANYTUN.launcher());
        j.addAll(List.of("-i", "10.77.0.2", "-s", "2", "-E", PASS, "-t", "tun", "-d", "jsync0",
                "-S", "2342", "-I", "10.77.0.2", "-M", "10.77.0.1:2342",
                "-R", "192.168.77.2/32", "-R", "fd00:77::/64"));
        List<String> a = new ArrayList<>(Kind.ANYTUN.launcher());
        a.addAll(List.of("-i", "10.77.0.1", "-s", "1", "-E", PASS, "-t", "tun", "-d", "async0",
                "-S", "2342", "-I", "10.77.0.1", "-M", "10.77.0.2:2342", "-R", "192.168.88.0/24"));
        try (ManagedProcess jan = ManagedProcess.start("janytun", ns.wrap(j), logs.resolve("janytun.log"),
                Kind.JANYTUN.environment());
             ManagedProcess any = ManagedProcess.start("anytun", ns.wrap(a), logs.resolve("anytun.log"), java.util.Map.of())) {
            // each side connects; anytun retries every 10 s if janytun was not listening yet
            jan.awaitOutput(Pattern.compile("sync: connected to 10\\.77\\.0\\.1:2342"), READY);
            any.awaitOutput(Pattern.compile("sync: connected to 10\\.77\\.0\\.2:2342"), READY);
            jan.awaitOutput(Pattern.compile("sync client [0-9.]+:\\d+ connected"), READY);
            Thread.sleep(500); // the dumps are a few hundred bytes; let both be applied

            List<String> expected = List.of("Client 0: not registered", "Route: 192.168.77.2/32 -> 0",
                    "Route: 192.168.88.0/24 -> 0", "Route: fd00:77::/64 -> 0");
            assertEquals(expected, showtables("10.77.0.2", 2342), "janytun's dump, read by anytun-showtables:\n"
                    + jan.tail(20));
            assertEquals(expected, showtables("10.77.0.1", 2342), "anytun's dump, read by anytun-showtables:\n"
                    + any.tail(20));

            // anytun applied our records and sends them back field for field (the counters aside)
            List<SyncRecord> ours = decode(dump("10.77.0.2", 2342));
            List<SyncRecord> theirs = decode(dump("10.77.0.1", 2342));
            assertEquals(withoutSeq(ours), withoutSeq(theirs));
            long seq = ((ConnectionRecord) theirs.getFirst()).seqNr();
            assertTrue(seq >= org.janytun.connection.ConnectionRegistry.SEQ_LEAD,
                    "anytun took our counter with its lead: " + seq);
            // every reader above has gone: anytun keeps their sockets in CLOSE-WAIT for ever, janytun closes them
            long deadline = System.nanoTime() + 5_000_000_000L;
            String ours2342;
            do {
                Thread.sleep(100);
                ours2342 = ns.run(Duration.ofSeconds(10), "ss", "-Htn", "state", "close-wait",
                        "( src 10.77.0.2 and sport = :2342 )").output().strip();
            } while (!ours2342.isEmpty() && System.nanoTime() < deadline);
            assertEquals("", ours2342, "janytun's sync port leaves no socket in CLOSE-WAIT");
            String theirs2342 = ns.run(Duration.ofSeconds(10), "ss", "-Htn", "state", "close-wait",
                    "( src 10.77.0.1 and sport = :2342 )").output().strip();
            System.out.println("anytun's sync port, CLOSE-WAIT sockets left by the 2 readers: "
                    + theirs2342.lines().count());
            assertTrue(jan.isAlive() && any.isAlive());
            assertFalse(any.output().contains("Invalid") || any.output().contains("exception"), any.tail(30));
        }
    }
}
