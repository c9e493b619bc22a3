package org.janytun.syncio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.janytun.route.IpPrefix;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.TableChange;
import org.janytun.sync.TableDrop;
import org.janytun.sync.TableMarker;
import org.janytun.address.HostPort;
import org.junit.jupiter.api.Test;

/**
 * Framing and batching of the control stream over loopback, with a test decoder that reads "route P/L M" bodies:
 * frames without a pause form one table; garbage drops the connection and the partial table, then it reconnects.
 */
class SyncClientTest {

    private static final SyncCodec CODEC = new SyncCodec();

    private static byte[] frame(String route) {
        String[] f = route.split(" ");
        return CODEC.encodeFrame(RouteRecord.parse(f[1], Integer.parseInt(f[2])));
    }

    private static byte[] marker(boolean begin, long generation) {
        return CODEC.encodeFrame(new TableMarker(begin, generation));
    }

    @Test
    void batchesTablesAndSurvivesGarbage() throws Exception {
        LinkedBlockingQueue<List<RouteRecord>> tables = new LinkedBlockingQueue<>();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             SyncClient client = SyncClient.forTables(new HostPort("127.0.0.1", server.getLocalPort()),
                     (peers, routes) -> tables.add(routes), Duration.ofMillis(200))) {
            server.setSoTimeout(10_000);
            client.start();
            try (Socket s = server.accept()) {
                OutputStream out = s.getOutputStream();
                // three frames, the second split across writes: one table
                out.write(frame("route 10.0.0.0/8 1"));
                byte[] second = frame("route 10.1.0.0/16 2");
                out.write(second, 0, 7);
                out.flush();
                Thread.sleep(50);
                out.write(second, 7, second.length - 7);
                out.write(frame("route fd00::/8 3"));
                out.flush();
                List<RouteRecord> t1 = tables.poll(5, TimeUnit.SECONDS);
                assertEquals(3, t1.size(), String.valueOf(t1));
                // a later push is a new table
                out.write(frame("route 10.2.0.0/16 4"));
                out.flush();
                assertEquals(1, tables.poll(5, TimeUnit.SECONDS).size());
                // a good frame then garbage: the partial table is dropped with the connection
                out.write(frame("route 10.3.0.0/16 5"));
                out.write("12x45 garbage".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            // it comes back and takes the next table
            try (Socket s = server.accept()) {
                s.getOutputStream().write(frame("route 10.4.0.0/16 6"));
                s.getOutputStream().flush();
                List<RouteRecord> t3 = tables.poll(5, TimeUnit.SECONDS);
                assertEquals(List.of(RouteRecord.parse("10.4.0.0/16", 6)), t3);
                // janytun's markers: the table is what lies between them, pauses inside do not cut it
                OutputStream out = s.getOutputStream();
                out.write(marker(true, 1));
                out.write(frame("route 10.5.0.0/16 7"));
                out.flush();
                Thread.sleep(SyncClient.BATCH_QUIET.toMillis() * 2);
                out.write(frame("route 10.6.0.0/16 8"));
                out.write(marker(false, 1));
                out.flush();
                assertEquals(2, tables.poll(5, TimeUnit.SECONDS).size());
            }
            assertTrue(tables.isEmpty(), "the partial table before the garbage was never applied: " + tables);
        }
    }

    /**
     * The reference's killers, served as captured (sync-samples/interop): a /9 route (anytun hangs), a 5000-byte
     * salt (heap overflow in anytun) and a host name as the remote (anytun reconnects for ever). The client applies
     * the /9, refuses the other two with the connection, and keeps working on the next table.
     */
    @Test
    void referenceKillersNeitherHangNorCrash() throws Exception {
        Path samples = Path.of(System.getProperty("satp.vectors", "../shared/satp/vectors"))
                .resolveSibling("sync-samples").resolve("interop");
        LinkedBlockingQueue<String> tables = new LinkedBlockingQueue<>();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             SyncClient client = SyncClient.forTables(new HostPort("127.0.0.1", server.getLocalPort()), (peers, routes) -> tables.add(peers.size() + " " + routes),
                     Duration.ofMillis(200))) {
            server.setSoTimeout(10_000);
            client.start();
            for (String killer : new String[] {"v10-prefix-hang.bin", "v11-oversize-salt.bin",
                    "v9-hostname-remote.bin"}) {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(Files.readAllBytes(samples.resolve(killer)));
                    s.getOutputStream().flush();
                    if (killer.startsWith("v10")) {
                        String t = tables.poll(5, TimeUnit.SECONDS);
                        assertTrue(t != null && t.contains("10.128.0.0/9"), killer + ": " + t);
                    }
                    Thread.sleep(SyncClient.BATCH_QUIET.toMillis() * 2);
                }
            }
            assertTrue(tables.isEmpty(), "the salt and host-name frames were refused, not applied: " + tables);
            try (Socket s = server.accept()) {
                s.getOutputStream().write(frame("route 10.9.0.0/16 9"));
                s.getOutputStream().flush();
                String t = tables.poll(5, TimeUnit.SECONDS);
                assertTrue(t != null && t.contains("10.9.0.0/16 -> 9"), String.valueOf(t));
            }
        }
    }

    /**
     * janytun-controld's reload: a change to the table sent before is handed on as such (new or changed records and
     * drops); one the receiver cannot apply makes the client connect again at once, not after the retry pause, for
     * the whole table.
     */
    @Test
    void changesAreHandedOnAndARefusedOneFetchesTheWholeTable() throws Exception {
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
        SyncClient.Tables sink = new SyncClient.Tables() {
            @Override
            public void table(List<ConnectionRecord> connections, List<RouteRecord> routes) {
                got.add("table " + routes);
            }

            @Override
            public boolean change(List<ConnectionRecord> connections, List<RouteRecord> routes, List<TableDrop> drops) {
                got.add("change " + routes + " " + drops.stream().map(TableDrop::prefix).toList());
                return changes.incrementAndGet() == 1; // the first applies, the second does not
            }
        };
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             SyncClient client = SyncClient.forTables(new HostPort("127.0.0.1", server.getLocalPort()), sink,
                     Duration.ofSeconds(60))) {
            server.setSoTimeout(10_000);
            client.start();
            try (Socket s = server.accept()) {
                OutputStream out = s.getOutputStream();
                // the dump on connecting, without an end marker, and at once a change: the dump is a table first
                out.write(frame("route 10.0.0.0/8 1"));
                out.write(frame("route 10.1.0.0/16 2"));
                out.write(CODEC.encodeFrame(new TableChange(1)));
                out.write(frame("route 10.2.0.0/16 3"));
                out.write(CODEC.encodeFrame(TableDrop.route(IpPrefix.parse("10.1.0.0/16"))));
                out.write(marker(false, 1));
                out.flush();
                assertEquals("table [RouteRecord[10.0.0.0/8 -> 1], RouteRecord[10.1.0.0/16 -> 2]]",
                        got.poll(5, TimeUnit.SECONDS));
                assertEquals("change [RouteRecord[10.2.0.0/16 -> 3]] [10.1.0.0/16]", got.poll(5, TimeUnit.SECONDS));
                out.write(CODEC.encodeFrame(new TableChange(2)));
                out.write(frame("route 10.3.0.0/16 4"));
                out.write(marker(false, 2));
                out.flush();
                assertEquals("change [RouteRecord[10.3.0.0/16 -> 4]] []", got.poll(5, TimeUnit.SECONDS));
                long t0 = System.nanoTime();
                try (Socket again = server.accept()) {
                    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "connected again at once");
                    again.getOutputStream().write(frame("route 10.3.0.0/16 4"));
                    again.getOutputStream().write(marker(false, 2));
                    again.getOutputStream().flush();
                    assertEquals("table [RouteRecord[10.3.0.0/16 -> 4]]", got.poll(5, TimeUnit.SECONDS));
                }
            }
        }
    }

    @Test
    void oversizeLengthFieldIsRejected() {
        byte[] b = "99999 x".getBytes(StandardCharsets.US_ASCII);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> SyncClient.frameLength(b, 0));
        assertTrue(e.getMessage().contains("more than"));
    }

    /** The length field follows the one framing parser: white space around the digits is fine, letters are not. */
    @Test
    void lengthFieldFollowsTheFrameReadersRules() throws IOException {
        assertEquals(12, SyncClient.frameLength(" 12  x".getBytes(StandardCharsets.US_ASCII), 0));
        assertThrows(org.janytun.sync.SyncFormatException.class,
                () -> SyncClient.frameLength("12a45 x".getBytes(StandardCharsets.US_ASCII), 0));
    }

    /**
     * A cluster peer's records: the reference's killers and the reference's own dumps, back to back on one
     * connection. The bad frames (5000-byte salt, host name as remote) are skipped, everything else is applied, and
     * the connection stays up (anytun drops it and reconnects every 10 s for ever).
     */
    @Test
    void recordsModeSkipsBadFramesAndStaysConnected() throws Exception {
        Path samples = Path.of(System.getProperty("satp.vectors", "../shared/satp/vectors"))
                .resolveSibling("sync-samples").resolve("interop");
        LinkedBlockingQueue<org.janytun.sync.SyncRecord> got = new LinkedBlockingQueue<>();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             SyncClient client = SyncClient.forRecords(new HostPort("127.0.0.1", server.getLocalPort()),
                     SyncGuard.PLAIN, got::addAll, Duration.ofMillis(200))) {
            server.setSoTimeout(10_000);
            client.start();
            try (Socket s = server.accept()) {
                OutputStream out = s.getOutputStream();
                for (String f : new String[] {"v11-oversize-salt.bin", "v9-hostname-remote.bin", "v10-prefix-hang.bin",
                        "v7-unknown-cmd.bin", "v1-canonical.bin"}) {
                    out.write(Files.readAllBytes(samples.resolve(f)));
                }
                out.flush();
                List<String> seen = new java.util.ArrayList<>();
                long end = System.nanoTime() + 5_000_000_000L;
                while (!seen.contains("route fd00:77::/64") && System.nanoTime() < end) {
                    var r = got.poll(100, TimeUnit.MILLISECONDS);
                    if (r instanceof RouteRecord rr) {
                        seen.add("route " + rr.addressText() + "/" + rr.prefixLength());
                    } else if (r instanceof org.janytun.sync.ConnectionRecord c) {
                        seen.add("connection " + c.mux() + " " + c.endpointText());
                    }
                }
                assertTrue(seen.contains("route 10.128.0.0/9"), seen.toString());
                assertTrue(seen.stream().noneMatch(x -> x.contains("localhost")), seen.toString());
                assertTrue(seen.size() >= 4, seen.toString());
                server.setSoTimeout(1000);
                org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class, server::accept,
                        "no reconnect: the connection stayed up");
            }
        }
    }
}
