package org.janytun.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.janytun.config.SyncSettings;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionRegistry;
import org.janytun.connection.ConnectionTable;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Hex;
import org.janytun.crypto.Role;
import org.janytun.wire.DeviceType;
import org.janytun.session.SatpSession;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.SyncCodec;
import org.janytun.address.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two cluster nodes in one process over loopback: state flows from the listener to the connector, endpoint changes
 * are pushed, and with a cluster secret a stranger neither reads the keys nor gets its records applied.
 */
class ClusterSyncTest {
    private static final byte[] KEY = Hex.parse("00112233445566778899aabbccddeeff");
    private static final byte[] SALT = Hex.parse("0102030405060708090a0b0c0d0e");

    private record Node(ConnectionRegistry registry, AtomicReference<ConnectionTable> table, ClusterSync sync,
                        Connection local) implements AutoCloseable {
        @Override
        public void close() {
            sync.close();
        }
    }

    private static Node node(int senderId, boolean withLocal, Integer listenPort, List<HostPort> peers,
                             Optional<String> secret) throws IOException {
        Connection local = null;
        if (withLocal) {
            CryptoSuite suite = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1,
                    10, KEY, SALT, null);
            local = new Connection(new SatpSession(suite, Role.LEFT, senderId, 0, DeviceType.TUN, 0), (InetSocketAddress) null);
        }
        ConnectionRegistry registry = new ConnectionRegistry(CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10,
                senderId, DeviceType.TUN, local, 0, List.of(), true);
        AtomicReference<ConnectionTable> table = new AtomicReference<>(registry.table());
        registry.publishTo(table::set);
        SyncSettings settings = new SyncSettings(listenPort == null ? OptionalInt.empty() : OptionalInt.of(listenPort),
                Optional.of("127.0.0.1"), peers, 18, secret);
        List<String> warnings = new ArrayList<>();
        ClusterSync sync = new ClusterSync(settings, registry, warnings);
        assertTrue(warnings.isEmpty(), "loopback or protected: no warning " + warnings);
        sync.start();
        return new Node(registry, table, sync, local);
    }

    private static void waitFor(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + 15_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static HostPort at(Node n) {
        return new HostPort("127.0.0.1", n.sync.listenerAddress().getPort());
    }

    @Test
    void stateAndEndpointChangesReachTheConnector() throws Exception {
        try (Node a = node(1, true, 0, List.of(), Optional.empty());
             Node b = node(2, false, null, List.of(at(a)), Optional.empty())) {
            waitFor(() -> b.table.get().forMux(0) != null, "b learns a's connection from the dump");
            assertNull(b.table.get().forMux(0).remote());
            a.local.learn(0, new InetSocketAddress("10.231.0.11", 5555));
            a.sync.endpointChanged(a.local);
            waitFor(() -> new InetSocketAddress("10.231.0.11", 5555).equals(b.table.get().forMux(0).remote()),
                    "b gets the pushed endpoint");
            assertTrue(java.util.Arrays.equals(KEY, b.registry.record(0).masterKey()), "b has a's keys");
        }
    }

    @Test
    void protectedSyncKeepsStrangersOut(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("cluster.secret");
        Files.writeString(secret, "QmVzdCBjbHVzdGVyIHNlY3JldCBldmVyLCByZWFsbHku\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Optional<String> s = Optional.of(secret.toString());
        try (Node a = node(1, true, 0, List.of(), s);
             Node b = node(2, false, null, List.of(at(a)), s)) {
            waitFor(() -> b.table.get().forMux(0) != null, "a node with the secret gets the state");

            // janytun-showtables with the secret reads the protected port
            var out = new java.io.ByteArrayOutputStream();
            var err = new java.io.ByteArrayOutputStream();
            int status = org.janytun.cli.ShowtablesMain.run(new String[] {"-c", at(a).toString(), "-t", "1",
                    "--sync-secret-file", secret.toString()}, java.io.InputStream.nullInputStream(),
                    new java.io.PrintStream(out), new java.io.PrintStream(err));
            assertEquals(0, status, err.toString());
            assertEquals("Client 0: not registered\n", out.toString());

            // a stranger reading the port (nc host port | anytun-showtables) gets not a single byte
            try (Socket nc = new Socket(InetAddress.getLoopbackAddress(), at(a).port())) {
                nc.setSoTimeout(10_000);
                assertEquals(-1, nc.getInputStream().read());
            }

            // a stranger listener that b is pointed at, sending a valid plain record, changes nothing in b
            try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 Node c = node(3, false, null, List.of(new HostPort("127.0.0.1", fake.getLocalPort())), s)) {
                fake.setSoTimeout(10_000);
                try (Socket in = fake.accept()) {
                    in.getOutputStream().write(new SyncCodec().encodeFrame(new ConnectionRecord(9, Role.LEFT, 128,
                            SALT, KEY, 0, 0, "10.66.66.66", 6666)));
                    in.getOutputStream().flush();
                    Thread.sleep(500);
                }
                assertNull(c.table.get().forMux(9), "nothing injected");
            }
        }
    }

    /**
     * Defect 3: endpoint changes pushed over sync (which a replayer could trigger before defect 1 was fixed) make a
     * few lines at level 4 (Logback DEBUG), on the pushing node and on the receiving one, not two per change.
     */
    @Test
    void pushedEndpointChangesAreLoggedAtALimitedRate() throws Exception {
        ch.qos.logback.classic.Logger sync = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("janytun.sync");
        ch.qos.logback.classic.Level saved = sync.getLevel();
        var lines = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        lines.start();
        sync.addAppender(lines);
        sync.setLevel(ch.qos.logback.classic.Level.DEBUG);
        try (Node a = node(1, true, 0, List.of(), Optional.empty());
             Node b = node(2, false, null, List.of(at(a)), Optional.empty())) {
            waitFor(() -> b.table.get().forMux(0) != null, "b learns a's connection from the dump");
            int before;
            synchronized (lines) {
                before = lines.list.size();
            }
            for (int i = 0; i < 2000; i++) {
                a.local.learn(0, new InetSocketAddress("10.231.0." + (1 + i % 2), 5555));
                a.sync.endpointChanged(a.local);
            }
            a.local.learn(0, new InetSocketAddress("10.231.0.99", 5555));
            a.sync.endpointChanged(a.local);
            waitFor(() -> new InetSocketAddress("10.231.0.99", 5555).equals(b.table.get().forMux(0).remote()),
                    "b gets the last pushed endpoint");
            List<ch.qos.logback.classic.spi.ILoggingEvent> all;
            synchronized (lines) { // the appender's list is written under this lock
                all = new ArrayList<>(lines.list);
            }
            List<String> logged = all.subList(before, all.size()).stream()
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
            assertTrue(logged.size() <= 10, logged.size() + " lines for 2,001 pushes: "
                    + logged.subList(0, Math.min(6, logged.size())));
        } finally {
            sync.detachAppender(lines);
            sync.setLevel(saved);
        }
    }
}
