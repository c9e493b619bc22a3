package org.janytun.syncio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The sync and control listener against strangers: overall handshake deadline, caps per source and in total, and
 * rate-limited log lines; 1,000 slow connections do not keep a real peer out. Sources are spread over 127.0.1.0/24
 * (all of 127/8 is local on Linux); the legitimate peer comes from 127.0.0.2.
 */
class SyncServerLimitsTest {
    private static final byte[] DUMP = "00005 hello".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SECRET = "a cluster secret of enough bytes".getBytes(StandardCharsets.US_ASCII);
    private static final AtomicInteger LOGGERS = new AtomicInteger();

    private final List<Socket> opened = new ArrayList<>();
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @AfterEach
    void closeAll() {
        for (Socket s : opened) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        lines.stop();
    }

    private SyncServer server(SyncGuard guard) throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger("test.sync.limits." + LOGGERS.incrementAndGet());
        log.setLevel(Level.DEBUG);
        log.setAdditive(false);
        lines.start();
        log.addAppender(lines);
        SyncServer s = new SyncServer("sync", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), guard,
                DUMP::clone, log);
        s.start();
        return s;
    }

    private Socket connect(SyncServer s, String from) throws IOException {
        Socket c = new Socket();
        opened.add(c);
        c.bind(new InetSocketAddress(from, 0));
        c.connect(s.localAddress(), 5000);
        return c;
    }

    private List<String> warnings() {
        List<ILoggingEvent> all;
        synchronized (lines) { // the appender's list is written under this lock
            all = new ArrayList<>(lines.list);
        }
        return all.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /** Defect 2: 2,000 refused connections make a few lines, each with a reason ("refused: null" before). */
    @Test
    void refusalsOnTheProtectedPortAreRateLimitedAndSayWhy() throws Exception {
        try (SyncServer s = server(ClusterSecret.of(SECRET))) {
            for (int i = 0; i < 2000; i++) {
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), s.localAddress().getPort())) {
                    if (i % 2 == 0) {
                        c.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
            SyncServerTest.waitFor(() -> s.connections() == 0, "every stranger's connection closed");
            List<String> w = warnings();
            assertTrue(w.size() <= 3, w.size() + " lines for 2,000 refusals: " + w.subList(0, Math.min(5, w.size())));
            assertFalse(w.isEmpty(), "refusals are logged");
            w.forEach(l -> assertFalse(l.contains("null"), l));
        }
    }

    /** Defect 4: one byte every 0.5 s (the per-read timeout is 5 s) does not hold the handshake open. */
    @Test
    void theProtectedHandshakeHasAnOverallDeadline() throws Exception {
        try (SyncServer s = server(ClusterSecret.of(SECRET))) {
            Socket slow = connect(s, "127.0.0.1");
            slow.setSoTimeout(500);
            OutputStream out = slow.getOutputStream();
            InputStream in = slow.getInputStream();
            byte[] greeting = new byte[ClusterSecret.MAGIC.length + ClusterSecret.NONCE];
            System.arraycopy(ClusterSecret.MAGIC, 0, greeting, 0, ClusterSecret.MAGIC.length);
            long t0 = System.nanoTime();
            boolean closedByServer = false;
            for (int i = 0; i < greeting.length - 1 && !closedByServer; i++) {
                try {
                    out.write(greeting[i]);
                    out.flush();
                    closedByServer = in.read() < 0;
                } catch (SocketTimeoutException stillOpen) {
                    // nothing to read: the server is still waiting
                } catch (IOException reset) {
                    closedByServer = true;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(closedByServer, "still open after " + seconds + " s of a slow handshake");
            assertTrue(seconds < SyncServer.Limits.DEFAULT.handshake().toSeconds() + 3, seconds + " s");
        }
    }

    /** More than the per-source cap from one address: the surplus is closed at once. */
    @Test
    void connectionsFromOneSourceAreCapped() throws Exception {
        try (SyncServer s = server(SyncGuard.PLAIN)) {
            int cap = SyncServer.Limits.DEFAULT.perSource();
            for (int i = 0; i < cap + 10; i++) {
                connect(s, "127.0.0.1");
            }
            SyncServerTest.waitFor(() -> s.connections() == cap, "the cap of " + cap + " reached");
            Thread.sleep(200);
            assertEquals(cap, s.connections());
            // another host still gets in
            Socket other = connect(s, "127.0.0.2");
            assertArrayEquals(DUMP, other.getInputStream().readNBytes(DUMP.length));
        }
    }

    /**
     * 1,000 slow connections from 100 addresses (in the handshake on the protected port; connected and never
     * reading on the plain one) do not keep a real peer out, and the server holds no more than its total.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aThousandSlowConnectionsDoNotLockOutARealPeer(boolean protectedMode) throws Exception {
        SyncGuard guard = protectedMode ? ClusterSecret.of(SECRET) : SyncGuard.PLAIN;
        try (SyncServer s = server(guard)) {
            for (int i = 0; i < 1000; i++) {
                Socket c = connect(s, "127.0.1." + (1 + i % 100));
                if (protectedMode) {
                    c.getOutputStream().write(ClusterSecret.MAGIC, 0, 3); // a greeting that never ends
                }
            }
            assertTrue(s.connections() <= SyncServer.Limits.DEFAULT.total(), s.connections() + " connections held");
            long t0 = System.nanoTime();
            Socket peer = connect(s, "127.0.0.2");
            peer.setSoTimeout(5000);
            InputStream in = protectedMode ? guard.open(peer) : peer.getInputStream();
            assertArrayEquals(DUMP, in.readNBytes(DUMP.length), "the real peer gets the dump");
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 3, "answered in " + seconds + " s");
            assertTrue(s.connections() <= SyncServer.Limits.DEFAULT.total(), s.connections() + " connections held");
            assertTrue(warnings().size() <= 3, warnings().size() + " warning lines");
        }
    }
}
