package org.janytun.syncio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The listener's fixes over anytun's: no CLOSE-WAIT leak, a peer that stops reading blocks nobody. */
class SyncServerTest {
    private static final byte[] DUMP = "00005 hello".getBytes(StandardCharsets.US_ASCII);

    private static SyncServer server() throws Exception {
        SyncServer s = new SyncServer("sync", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                SyncGuard.PLAIN, DUMP::clone);
        s.start();
        return s;
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static byte[] readExactly(InputStream in, int n) throws Exception {
        byte[] b = in.readNBytes(n);
        assertEquals(n, b.length, "stream ended early");
        return b;
    }

    /** Sockets of this process on {@code port} in state CLOSE-WAIT (state 08 in /proc/net/tcp{,6}). */
    static long closeWaitOn(int port) throws Exception {
        String hexPort = String.format(":%04X ", port);
        long n = 0;
        for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(f);
            if (!Files.exists(p)) {
                continue;
            }
            n += Files.readAllLines(p).stream().skip(1).map(String::trim).map(l -> l.split("\\s+"))
                    .filter(c -> c.length > 3 && c[1].endsWith(hexPort.trim()) && c[3].equals("08")).count();
        }
        return n;
    }

    /** The task given to afterEachDump runs once per connector, after its dump is written. */
    @Test
    void aTaskRunsAfterEachDumpIsWritten() throws Exception {
        java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
        try (SyncServer s = server()) {
            s.afterEachDump(ran::incrementAndGet);
            int port = s.localAddress().getPort();
            for (int i = 1; i <= 3; i++) {
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    assertArrayEquals(DUMP, readExactly(c.getInputStream(), DUMP.length));
                    int want = i;
                    waitFor(() -> ran.get() == want, "the task after dump " + i);
                }
            }
        }
    }

    @Test
    void everyConnectorGetsTheDumpAndClosedOnesAreClosed() throws Exception {
        try (SyncServer s = server()) {
            int port = s.localAddress().getPort();
            for (int i = 0; i < 5; i++) {
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    assertArrayEquals(DUMP, readExactly(c.getInputStream(), DUMP.length));
                }
            }
            waitFor(() -> s.clients() == 0, "all five connectors gone");
            waitFor(() -> {
                try {
                    return closeWaitOn(port) == 0;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "no socket in CLOSE-WAIT on the sync port (anytun keeps one per closed client)");
        }
    }

    @Test
    void aConnectorThatStopsReadingBlocksNobody() throws Exception {
        try (SyncServer s = server();
             Socket stuck = new Socket(InetAddress.getLoopbackAddress(), s.localAddress().getPort());
             Socket reader = new Socket(InetAddress.getLoopbackAddress(), s.localAddress().getPort())) {
            stuck.setReceiveBufferSize(4096);
            InputStream in = reader.getInputStream();
            assertArrayEquals(DUMP, readExactly(in, DUMP.length));
            waitFor(() -> s.clients() == 2, "both admitted");
            byte[] big = new byte[256 * 1024];
            Arrays.fill(big, (byte) 'x');
            // the stuck connector's socket fills up: broadcast must still return at once, and the reader gets all
            for (int i = 0; i < SyncServer.MAX_PENDING * 4; i++) {
                long t0 = System.nanoTime();
                s.broadcast(big, "bulk " + i);
                assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "broadcast never waits for a connector");
                readExactly(in, big.length);
            }
            waitFor(() -> s.clients() == 1, "the connector that does not read is dropped");
        }
    }
}
