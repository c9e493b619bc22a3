package org.janytun.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncSamples;
import org.janytun.sync.TableChange;
import org.janytun.sync.TableMarker;
import org.junit.jupiter.api.Test;

class ControlServerTest {
    private static final SyncCodec CODEC = new SyncCodec();

    /** Reads until {@code n} bytes arrived (bounded by a 5 s socket timeout). */
    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        assertEquals(n, b.length, "stream ended early");
        return b;
    }

    /** Reads what arrives until the peer is quiet for {@code idleMillis} or closes. */
    static byte[] readUntilIdle(Socket s, int idleMillis) throws IOException {
        s.setSoTimeout(idleMillis);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        InputStream in = s.getInputStream();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException idle) {
                break;
            }
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static ControlServer server(ControlTable t, boolean endMarker) throws IOException {
        ControlServer s = new ControlServer(t, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), endMarker);
        s.start();
        return s;
    }

    private static Socket connect(ControlServer s) throws IOException {
        Socket c = new Socket();
        c.connect(s.localAddress(), 5000);
        c.setSoTimeout(5000);
        return c;
    }

    @Test
    void servesTheFileWithoutItsNewlines() throws Exception {
        ControlTable t = ControlTable.read(SyncSamples.file("scenarioB-controld-table.txt"));
        byte[] expected = SyncSamples.bytes("scenarioB-controld-wire.raw");
        assertArrayEquals(expected, t.wire());
        try (ControlServer s = server(t, false); Socket c1 = connect(s); Socket c2 = connect(s)) {
            assertArrayEquals(expected, readExactly(c1.getInputStream(), expected.length));
            assertArrayEquals(expected, readExactly(c2.getInputStream(), expected.length));
        }
    }

    @Test
    void publishPushesWhatChangedBetweenMarkers() throws Exception {
        ControlTable t1 = ControlTable.read(SyncSamples.file("scenarioB-controld-table.txt"));
        ControlTable t2 = ControlTable.read(SyncSamples.file("scenarioB-controld-table2.txt"));
        try (ControlServer s = server(t1, false); Socket c = connect(s)) {
            InputStream in = c.getInputStream();
            readExactly(in, t1.wire().length);
            waitFor(() -> s.clients() == 1);
            assertEquals(1, s.publish(t2));
            byte[] begin = CODEC.encodeFrame(new TableChange(1));
            byte[] end = CODEC.encodeFrame(new TableMarker(false, 1));
            String expected = new String(begin, StandardCharsets.ISO_8859_1)
                    + new String(t2.changeFrom(t1).wire(CODEC), StandardCharsets.ISO_8859_1)
                    + new String(end, StandardCharsets.ISO_8859_1);
            assertEquals(expected, new String(readExactly(in, expected.length()), StandardCharsets.ISO_8859_1));
            // a new client gets the new table as anytun-controld would send it
            try (Socket c2 = connect(s)) {
                assertArrayEquals(t2.wire(), readExactly(c2.getInputStream(), t2.wire().length));
            }
            waitFor(() -> s.clients() == 1); // the second client has left
            assertEquals(1, s.publish(t1));
            String second = new String(readExactly(in, CODEC.encodeFrame(new TableChange(2)).length),
                    StandardCharsets.ISO_8859_1);
            assertTrue(second.endsWith("janytun-table-change 2"), second);
        }
    }

    @Test
    void endMarkerAfterTheDumpWhenAsked() throws Exception {
        ControlTable t = ControlTable.read(SyncSamples.file("examples-server-conf.d-controld-table.txt"));
        try (ControlServer s = server(t, true); Socket c = connect(s)) {
            byte[] end = CODEC.encodeFrame(new TableMarker(false, 0));
            byte[] got = readExactly(c.getInputStream(), t.wire().length + end.length);
            assertEquals(new String(t.wire(), StandardCharsets.ISO_8859_1) + new String(end, StandardCharsets.ISO_8859_1),
                    new String(got, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void clientsThatLeaveAreClosed() throws Exception {
        ControlTable t = ControlTable.read(SyncSamples.file("scenarioB-controld-table.txt"));
        try (ControlServer s = server(t, false)) {
            for (int i = 0; i < 5; i++) {
                try (Socket c = connect(s)) {
                    readExactly(c.getInputStream(), t.wire().length);
                }
            }
            waitFor(() -> s.clients() == 0);
            assertEquals(0, s.publish(t));
        }
    }

    @Test
    void tableFilesAreChecked() throws Exception {
        byte[] good = SyncSamples.bytes("scenarioB-controld-table.txt");
        String text = new String(good, StandardCharsets.ISO_8859_1);
        // CRLF, blank lines and comments are fine; what is served is the same
        ControlTable crlf = ControlTable.parse(("# generated\n\n" + text.replace("\n", "\r\n"))
                .getBytes(StandardCharsets.ISO_8859_1), "t");
        assertArrayEquals(ControlTable.parse(good, "t").wire(), crlf.wire());
        assertEquals(2, crlf.connections());
        assertEquals(4, crlf.routes());
        String[] lines = text.split("\n");
        List<String[]> bad = List.of(
                new String[] {lines[0] + "\n" + lines[1] + " 1\n", "t:2: the length field says 75 bytes but 77 follow"},
                new String[] {lines[0] + "\n" + lines[1].substring(0, 40) + "\n", "t:2:"},
                new String[] {lines[0] + "\n" + lines[1] + "\nhello\n", "t:3: truncated frame"},
                new String[] {lines[0] + "\n" + lines[1] + "\nhello world\n", "t:3: bad length field"},
                new String[] {lines[0] + "\n" + CODEC.encodeFrameText(new org.janytun.sync.UnknownRecord("frobnicate"))
                        + "\n", "t:2: unknown command 'frobnicate'"},
                new String[] {CODEC.encodeFrameText(new TableMarker(true, 1)) + "\n", "t:1: a table marker"},
                new String[] {lines[0].replace(" 14 65 78", " 15 65 78") + "\n", "t:1: bad connection frame"},
                new String[] {lines[1].replace("00075 ", "00075\n") + "\n", "t:1: truncated frame"});
        for (String[] b : bad) {
            ControlTable.TableException e = assertThrows(ControlTable.TableException.class,
                    () -> ControlTable.parse(b[0].getBytes(StandardCharsets.ISO_8859_1), "t"));
            assertTrue(e.getMessage().startsWith(b[1]), b[1] + " <- " + e.getMessage());
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(10);
        }
    }
}
