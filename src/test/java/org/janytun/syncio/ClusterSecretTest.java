package org.janytun.syncio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protected sync mode: both ends prove the secret before anything is sent; strangers get nothing. */
class ClusterSecretTest {
    private static final ClusterSecret SECRET = ClusterSecret.of("correct horse battery staple 42".getBytes());
    private static final ClusterSecret OTHER = ClusterSecret.of("another cluster's secret, 32 by".getBytes());
    private static final byte[] DUMP = ("00075 22 serialization::archive 18 0 0 5 route 0 0 0 0 32 0 0 0 12"
            + " 192.168.77.2 0").getBytes(StandardCharsets.US_ASCII);

    private static SyncServer server(SyncGuard guard) throws IOException {
        SyncServer s = new SyncServer("sync", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), guard,
                DUMP::clone);
        s.start();
        return s;
    }

    private static Socket connect(SyncServer s) throws IOException {
        Socket c = new Socket(InetAddress.getLoopbackAddress(), s.localAddress().getPort());
        c.setSoTimeout(10_000);
        return c;
    }

    @Test
    void nodesWithTheSecretGetTheDumpEncrypted() throws Exception {
        try (SyncServer s = server(SECRET); Socket c = connect(s)) {
            InputStream in = SECRET.open(c);
            assertArrayEquals(DUMP, in.readNBytes(DUMP.length));
            byte[] push = "00005 later".getBytes(StandardCharsets.US_ASCII);
            SyncServerTest.waitFor(() -> s.clients() == 1, "admitted");
            s.broadcast(push, "push");
            assertArrayEquals(push, in.readNBytes(push.length));
        }
    }

    @Test
    void whatGoesOverTheWireIsNotTheRecords() throws Exception {
        // a node with the secret reads the raw bytes after the handshake: no plaintext key or address in them
        try (SyncServer s = server(SECRET); Socket c = connect(s)) {
            SECRET.open(c); // handshake only
            byte[] raw = c.getInputStream().readNBytes(4 + DUMP.length + SealedStreams.TAG_BYTES);
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            assertTrue(!text.contains("serialization") && !text.contains("192.168"), "encrypted: " + text);
        }
    }

    @Test
    void aStrangerLearnsNothing() throws Exception {
        try (SyncServer s = server(SECRET)) {
            // 1. plain anytun-style reader (nc host port): sends nothing, gets nothing, is closed
            try (Socket c = connect(s)) {
                assertEquals(-1, c.getInputStream().read(), "a plain connector is closed without a byte");
            }
            // 2. garbage instead of the greeting
            try (Socket c = connect(s)) {
                c.getOutputStream().write("00075 hello there, anytun here.\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, c.getInputStream().read());
            }
            // 3. a janytun node with another secret: only the listener's nonce, then the door closes
            try (Socket c = connect(s)) {
                IOException e = assertThrows(IOException.class, () -> OTHER.open(c));
                assertTrue(e.getMessage().contains("another cluster secret"), e.getMessage());
            }
            // 4. a hand-made greeting with a random proof: same
            try (Socket c = connect(s)) {
                OutputStream out = c.getOutputStream();
                out.write(ClusterSecret.MAGIC);
                out.write(new byte[ClusterSecret.NONCE]);
                InputStream in = c.getInputStream();
                byte[] answer = in.readNBytes(ClusterSecret.MAGIC.length + ClusterSecret.NONCE);
                assertEquals(ClusterSecret.MAGIC.length + ClusterSecret.NONCE, answer.length);
                out.write(new byte[ClusterSecret.TAG]);
                assertEquals(-1, in.read(), "no proof, no data");
            }
            assertEquals(0, s.clients(), "no stranger was ever admitted");
        }
    }

    @Test
    void aStrangerCannotInjectState() throws Exception {
        // the connector side: a fake listener without the secret, and a plain anytun-style listener
        for (boolean plainListener : new boolean[] {false, true}) {
            try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                    try (Socket a = fake.accept()) {
                        if (plainListener) {
                            a.getOutputStream().write(DUMP); // anytun would just send its records
                        } else {
                            OTHER.admit(a);
                        }
                    } catch (IOException expected) {
                        // the connector hangs up
                    }
                });
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), fake.getLocalPort())) {
                    c.setSoTimeout(10_000);
                    assertThrows(IOException.class, () -> SECRET.open(c), "no stream is handed on");
                }
                served.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void tamperedRecordsAreRefused() throws Exception {
        byte[] key = new byte[32];
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        OutputStream sealed = SealedStreams.output(wire, key);
        sealed.write(DUMP);
        byte[] bytes = wire.toByteArray();
        assertArrayEquals(DUMP, SealedStreams.input(new java.io.ByteArrayInputStream(bytes), key).readAllBytes());
        bytes[10] ^= 1;
        IOException e = assertThrows(IOException.class,
                () -> SealedStreams.input(new java.io.ByteArrayInputStream(bytes), key).readAllBytes());
        assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
        // a record replayed twice: the second one has the wrong number
        byte[] one = wire.toByteArray();
        byte[] twice = new byte[one.length * 2];
        System.arraycopy(one, 0, twice, 0, one.length);
        System.arraycopy(one, 0, twice, one.length, one.length);
        InputStream in = SealedStreams.input(new java.io.ByteArrayInputStream(twice), key);
        assertArrayEquals(DUMP, in.readNBytes(DUMP.length));
        assertThrows(IOException.class, in::read);
    }

    @Test
    void secretFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cluster.secret");
        Files.writeString(f, "short\n");
        IOException e = assertThrows(IOException.class, () -> ClusterSecret.read(f, new ArrayList<>()));
        assertTrue(e.getMessage().contains("at least 16"), e.getMessage());
        Files.writeString(f, "c29tZSByYW5kb20gYnl0ZXMgZm9yIGEgc2VjcmV0IQ==\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> warnings = new ArrayList<>();
        ClusterSecret.read(f, warnings);
        assertEquals(1, warnings.size(), warnings.toString());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        warnings.clear();
        ClusterSecret.read(f, warnings);
        assertTrue(warnings.isEmpty(), warnings.toString());
    }
}
