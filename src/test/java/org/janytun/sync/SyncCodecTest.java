package org.janytun.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.janytun.crypto.Role;
import org.junit.jupiter.api.Test;

class SyncCodecTest {
    private static final SyncCodec CODEC = new SyncCodec();

    /** Decodes a whole stream; errors are recorded as strings in the list. */
    private static List<Object> decodeAll(byte[] stream) throws IOException {
        SyncFrameReader r = new SyncFrameReader(new ByteArrayInputStream(stream));
        List<Object> out = new ArrayList<>();
        while (true) {
            try {
                SyncRecord rec = r.next();
                if (rec == null) {
                    return out;
                }
                out.add(rec);
            } catch (SyncFormatException e) {
                out.add("error: " + e.getMessage());
                if (!e.recoverable()) {
                    return out;
                }
            }
        }
    }

    private static byte[] encodeAll(List<Object> records, SyncCodec codec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object o : records) {
            out.writeBytes(codec.encodeFrame((SyncRecord) o));
        }
        return out.toByteArray();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Every stream the real tools wrote: decoded without error and re-encoded byte for byte. */
    @Test
    void everyReferenceCaptureRoundTrips() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(SyncSamples.dir())) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".raw")).forEach(names::add);
        }
        try (Stream<Path> s = Files.list(SyncSamples.dir().resolve("interop"))) {
            s.map(p -> "interop/" + p.getFileName()).filter(n -> n.endsWith(".dump.raw")).forEach(names::add);
        }
        names.addAll(List.of("config-aes192-oddprefix.txt", "config-aes256-window-remote.txt",
                "config-manpage-example.txt", "config-nullkd-v6remote-default-routes.txt",
                "config-passphrase-v4v6.txt", "examples-server-conf.d-controld-table.txt",
                "scenarioB-controld-table.txt", "scenarioB-controld-table2.txt"));
        assertTrue(names.size() >= 30, "samples found: " + names);
        int frames = 0;
        for (String n : names) {
            byte[] stream = n.endsWith(".txt") ? SyncSamples.withoutNewlines(n) : SyncSamples.bytes(n);
            List<Object> records = decodeAll(stream);
            for (Object o : records) {
                assertInstanceOf(SyncRecord.class, o, n);
                assertFalse(o instanceof UnknownRecord, n);
            }
            frames += records.size();
            assertEquals(text(stream), text(encodeAll(records, CODEC)), n);
        }
        assertTrue(frames > 70, "frames: " + frames);
    }

    @Test
    void tablesWithNewlinesReadWhenAsked() throws IOException {
        byte[] file = SyncSamples.bytes("scenarioB-controld-table.txt");
        SyncFrameReader r = new SyncFrameReader(new ByteArrayInputStream(file), 4096, true);
        int n = 0;
        while (r.next() != null) {
            n++;
        }
        assertEquals(6, n);
    }

    /** SYNC.md §5.1, field by field. */
    @Test
    void workedFrame() throws IOException {
        String frame = "00210 22 serialization::archive 18 0 0 10 connection 0 0 0 0 0 0 0 0 128 0 0 14 120 75 37 8"
                + " 248 60 1 242 190 134 224 119 234 175 16 29 243 113 245 15 203 105 79 54 253 57 216 223 1 232 149"
                + " 0 0 0 3 11 10.231.0.11 5556";
        ConnectionRecord c = (ConnectionRecord) SyncCodec.decodeFrame(frame.getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, c.mux());
        assertEquals(Role.LEFT, c.role());
        assertEquals(128, c.keyLength());
        assertEquals("784b2508f83c01f2be86e077eaaf", HexFormat.of().formatHex(c.masterSalt()));
        assertEquals("1df371f50fcb694f36fd39d8df01e895", HexFormat.of().formatHex(c.masterKey()));
        assertEquals(0, c.windowSize());
        assertEquals(3, c.seqNr());
        assertEquals("10.231.0.11", c.remoteHost());
        assertEquals(5556, c.remotePort());
        assertEquals("10.231.0.11:5556", c.endpointText());
        assertFalse(c.endpointUnset());
        assertEquals(frame, CODEC.encodeFrameText(c));

        String route = "00075 22 serialization::archive 18 0 0 5 route 0 0 0 0 32 0 0 0 12 192.168.77.2 0";
        RouteRecord r = (RouteRecord) SyncCodec.decodeFrame(route.getBytes(StandardCharsets.US_ASCII));
        assertEquals("192.168.77.2/32", r.prefix().toString());
        assertEquals(0, r.mux());
        assertEquals(route, CODEC.encodeFrameText(r));
    }

    /** The hand-made frames of the tolerance matrix (SYNC.md §1.10). */
    @Test
    void toleranceMatrix() throws IOException {
        // v1, v2 (version 17), v4 (newlines), v5 (class version 1), v6 (version 4): read as the canonical frames;
        // re-encoded they are what the real anytun sent back (.dump.raw)
        for (String v : List.of("v1-canonical", "v2-libver17", "v4-newline-sep", "v5-classversion1", "v6-libver4",
                "v8-ipv6-variants")) {
            List<Object> records = decodeAll(SyncSamples.bytes("interop/" + v + ".bin"));
            assertEquals(text(SyncSamples.bytes("interop/" + v + ".dump.raw")), text(encodeAll(records, CODEC)), v);
        }
        // our writer can speak other library versions: v2 and v6 exactly as sent
        assertEquals(text(SyncSamples.bytes("interop/v2-libver17.bin")),
                text(encodeAll(decodeAll(SyncSamples.bytes("interop/v2-libver17.bin")), new SyncCodec(17))));
        assertEquals(text(SyncSamples.bytes("interop/v6-libver4.bin")),
                text(encodeAll(decodeAll(SyncSamples.bytes("interop/v6-libver4.bin")), new SyncCodec(4))));
        // v3 (version 19): the 1.74 reader refuses it; we accept any version
        assertEquals(2, decodeAll(SyncSamples.bytes("interop/v3-libver19.bin")).stream()
                .filter(o -> o instanceof SyncRecord).count());
        // v7: the unknown command is reported as such and the next frame is read
        List<Object> v7 = decodeAll(SyncSamples.bytes("interop/v7-unknown-cmd.bin"));
        assertEquals(new UnknownRecord("frobnicate"), v7.get(0));
        assertEquals(RouteRecord.parse("192.168.77.0/24", 7), v7.get(1));
        assertEquals(2, v7.size());
        // v9: a host name is refused (the whole frame), the route after it is read
        List<Object> v9 = decodeAll(SyncSamples.bytes("interop/v9-hostname-remote.bin"));
        assertEquals(2, v9.size());
        assertTrue(v9.get(0).toString().contains("not an IP address"), v9.get(0).toString());
        assertEquals(RouteRecord.parse("192.168.77.0/24", 7), v9.get(1));
        // v10: the prefix that hangs the reference is just a route
        List<Object> v10 = decodeAll(SyncSamples.bytes("interop/v10-prefix-hang.bin"));
        assertEquals(RouteRecord.parse("10.128.0.0/9", 7), v10.get(0));
        assertInstanceOf(ConnectionRecord.class, v10.get(1));
        // v11: both 5000-byte salts are refused before they are read; the stream stays in step
        List<Object> v11 = decodeAll(SyncSamples.bytes("interop/v11-oversize-salt.bin"));
        assertEquals(3, v11.size());
        for (Object o : v11.subList(0, 2)) {
            assertEquals("error: bad connection frame: master salt of 5000 bytes is too long (at most 32)", o);
        }
        assertEquals(RouteRecord.parse("192.168.77.0/24", 7), v11.get(2));
        // lpm-A/B
        for (String lpm : List.of("interop/lpm-A-long-first.bin", "interop/lpm-B-short-first.bin")) {
            List<Object> r = decodeAll(SyncSamples.bytes(lpm));
            assertEquals(4, r.size());
            assertEquals(text(SyncSamples.bytes(lpm)), text(encodeAll(r, CODEC)));
        }
    }

    @Test
    void canonicalFormsOfAddresses() throws IOException {
        List<Object> v8 = decodeAll(SyncSamples.bytes("interop/v8-ipv6-variants.bin"));
        ConnectionRecord c = (ConnectionRecord) v8.get(0);
        assertEquals("::ffff:10.231.0.11", c.remoteHost());
        assertEquals("[::ffff:10.231.0.11]:5555", c.endpointText());
        assertEquals(Role.RIGHT, c.role());
        assertEquals(64, c.windowSize());
        assertEquals("fd00:77::/64", ((RouteRecord) v8.get(1)).prefix().toString());
        ConnectionRecord unset = c.withRemote("[::]", 4444);
        assertEquals("::", unset.remoteHost());
        assertTrue(unset.endpointUnset());
        assertEquals("not registered", unset.endpointText());
        assertNull(unset.remoteEndpoint());
        assertEquals("fe80::1%lo", c.withRemote("FE80::1%lo", 1).remoteHost());
        assertThrows(IllegalArgumentException.class, () -> c.withRemote("localhost", 1));
        assertThrows(IllegalArgumentException.class, () -> c.withRemote("1.2.3.4%lo", 1));
    }

    @Test
    void secretsStayOutOfToString() throws IOException {
        byte[] salt = HexFormat.of().parseHex("784b2508f83c01f2be86e077eaaf");
        byte[] key = HexFormat.of().parseHex("1df371f50fcb694f36fd39d8df01e895");
        ConnectionRecord c = new ConnectionRecord(1, Role.LEFT, 128, salt, key, 0, 0, "0.0.0.0", 4444);
        String s = c.toString();
        for (String forbidden : List.of("784b", "1df3", "120", "29, ", "[120", "[29")) {
            assertFalse(s.contains(forbidden), s);
        }
        assertTrue(s.contains("<14 bytes>") && s.contains("<16 bytes>"), s);
        // the record keeps its own copies
        salt[0] = 0;
        key[0] = 0;
        assertEquals(0x78, c.masterSalt()[0] & 0xFF);
        c.masterKey()[0] = 0;
        assertEquals(0x1d, c.masterKey()[0] & 0xFF);
        assertEquals(c, SyncCodec.decodeFrame(CODEC.encodeFrame(c)));
    }

    private static String body(String archive) {
        return String.format("%05d ", archive.length()) + archive;
    }

    private static String errorOf(String stream) throws IOException {
        List<Object> r = decodeAll(stream.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(1, r.size(), r.toString());
        return (String) r.get(0);
    }

    @Test
    void malformedFramesAreRejectedWithAReason() throws IOException {
        String conn = "22 serialization::archive 18 0 0 10 connection 0 0 %s 0 0 0 0 %s %s 0 0 %s %s 0 0 %s %s %s %s";
        String salt = "14 1 2 3 4 5 6 7 8 9 10 11 12 13 14";
        String key = "16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16";
        assertInstanceOf(ConnectionRecord.class, SyncCodec.decodeBody(
                String.format(conn, 1, 0, 128, salt, key, 0, 0, "7 0.0.0.0", 4444)));
        String[][] bad = {
            {String.format(conn, 70000, 0, 128, salt, key, 0, 0, "7 0.0.0.0", 4444), "mux is out of range"},
            {String.format(conn, 1, 2, 128, salt, key, 0, 0, "7 0.0.0.0", 4444), "role 2"},
            {String.format(conn, 1, 0, 100, salt, key, 0, 0, "7 0.0.0.0", 4444), "key length 100"},
            {String.format(conn, 1, 0, 256, salt, key, 0, 0, "7 0.0.0.0", 4444), "master key has 16 bytes"},
            {String.format(conn, 1, 0, 128, "2 1 2", key, 0, 0, "7 0.0.0.0", 4444), "master salt has 2 bytes"},
            {String.format(conn, 1, 0, 128, "14 1 2 3 4 5 6 7 8 9 10 11 12 13 256", key, 0, 0, "7 0.0.0.0", 4444),
                "master salt byte is out of range"},
            {String.format(conn, 1, 0, 128, salt, key, 4294967296L, 0, "7 0.0.0.0", 4444), "window size is out"},
            {String.format(conn, 1, 0, 128, salt, key, 0, 0, "7 0.0.0.0", 65536), "remote port is out"},
            {String.format(conn, 1, 0, 128, salt, key, 0, 0, "9 localhost", 1), "not an IP address"},
            {String.format(conn, 1, 0, 128, salt, key, 0, 0, "99 0.0.0.0", 1), "too long"},
            {String.format(conn, 1, 0, 128, salt, key, 0, 0, "7 0.0.0.0", ""), "truncated before the remote port"},
            {String.format(conn, 1, 0, 128, salt, key, 0, 0, "7 0.0.", ""), "truncated in the remote host"},
            {String.format(conn, 1, 0, 128, salt, key, 0, 0, "7 0.0.0.0", "x"), "expected a number for the remote"},
            {String.format(conn, 1, 0, 128, salt, key, 0, 0, "7 0.0.0.0", "-1"), "expected a number"},
            {"22 serialization::archive 18 0 0 5 route 0 0 0 0 33 0 0 0 8 10.0.0.0 1", "prefix length 33"},
            {"22 serialization::archive 18 0 0 5 route 0 0 0 0 129 0 0 1 2 :: 1", "prefix length 129"},
            {"22 serialization::archive 18 0 0 5 route 0 0 0 0 32 0 0 2 6", "ethernet"},
            {"22 serialization::archive 18 0 0 5 route 0 0 0 0 32 0 0 3 7 1.2.3.4 1", "address family 3"},
            {"22 serialization::archive 18 0 0 5 route 0 0 0 0 32 0 0 1 7 1.2.3.4 1", "not an IPv6 address"},
            {"22 serialization::archive 18 0 0 5 route 0 0 0 0 32 0 0 0 9 010.1.1.1 1", "not an IPv4 address"},
            {"22 serialization::archive 18 0 0 5 route 2 0 0 0 32 0 0 0 7 1.2.3.4 1", "tracking level is out"},
            {"22 serialization::archivf 18 0 0 5 route", "invalid signature"},
            {"21 serialization::archive 18", "invalid signature"},
            {"hello world", "expected a number"},
            {"22 serialization::archive 18 0 0 0 ", "empty command"},
            {"22 serialization::archive 18 0 0 500 x", "command of 500 bytes is too long"},
        };
        for (String[] b : bad) {
            String e = errorOf(body(b[0]));
            assertTrue(e.contains(b[1]), b[1] + " <- " + e);
        }
    }

    @Test
    void framingErrors() throws IOException {
        String route = body("22 serialization::archive 18 0 0 5 route 0 0 0 0 32 0 0 0 7 1.2.3.4 1");
        // leading white space in the length field and any separator byte are accepted, as by the reference
        assertEquals(1, decodeAll((" " + route.substring(1).replaceFirst(" ", "X")).getBytes()).size());
        assertInstanceOf(RouteRecord.class, decodeAll(("  " + route.substring(2)).getBytes()).get(0));
        assertEquals(List.of("error: empty frame (length 0)"), decodeAll("00000 ".getBytes()).subList(0, 1));
        assertTrue(errorOf("0x075 " + route.substring(6)).startsWith("error: bad length field '0x075'"));
        assertTrue(errorOf("00075").contains("ended in the length field"));
        assertTrue(errorOf("00200 22 serial").contains("expected 200 bytes, the stream ended after 9"));
        // oversize: skipped, reported, and the stream stays in step
        String big = body("x".repeat(70000));
        List<Object> r = decodeAll((big + route).getBytes());
        assertEquals("error: frame of 70000 bytes is longer than the limit of 65536 (skipped)", r.get(0));
        assertInstanceOf(RouteRecord.class, r.get(1));
        // a stricter limit
        SyncFrameReader small = new SyncFrameReader(new ByteArrayInputStream((route + route).getBytes()), 50, false);
        SyncFormatException e = assertThrows(SyncFormatException.class, small::next);
        assertTrue(e.recoverable());
        assertInstanceOf(RouteRecord.class, new SyncFrameReader(new ByteArrayInputStream(route.getBytes())).next());
        // decodeFrame insists on exactly one frame
        assertThrows(SyncFormatException.class, () -> SyncCodec.decodeFrame((route + " ").getBytes()));
        assertThrows(SyncFormatException.class, () -> SyncCodec.decodeFrame("0007".getBytes()));
    }

    @Test
    void trailingBytesInsideAFrameAndWhiteSpaceAreTolerated() throws IOException {
        String a = "22\tserialization::archive\r\n18 00 0 5 route 0 0 0 0 024 0 0 0 8 10.1.2.0 0007 trailing junk";
        assertEquals(RouteRecord.parse("10.1.2.0/24", 7), SyncCodec.decodeBody(a));
    }

    @Test
    void tableMarkersRoundTrip() throws IOException {
        TableMarker m = new TableMarker(true, 2);
        assertEquals("00057 22 serialization::archive 18 0 0 19 janytun-table-begin 2", CODEC.encodeFrameText(m));
        assertEquals(m, SyncCodec.decodeFrame(CODEC.encodeFrame(m)));
        assertEquals(new TableMarker(false, 4294967295L),
                SyncCodec.decodeFrame(CODEC.encodeFrame(new TableMarker(false, 4294967295L))));
    }

    /** Random corruption of real frames: only SyncFormatExceptions, never anything else, and bounded work. */
    @Test
    void fuzzedFramesNeverCrash() throws IOException {
        byte[] base = SyncSamples.bytes("scenarioB-s1-syncport-dump.raw");
        Random rnd = new Random(2323);
        for (int i = 0; i < 20000; i++) {
            byte[] b = base.clone();
            int edits = 1 + rnd.nextInt(8);
            for (int k = 0; k < edits; k++) {
                int at = rnd.nextInt(b.length);
                b[at] = switch (rnd.nextInt(4)) {
                    case 0 -> (byte) rnd.nextInt(256);
                    case 1 -> (byte) ('0' + rnd.nextInt(10));
                    case 2 -> (byte) ' ';
                    default -> (byte) (b[at] ^ 1);
                };
            }
            int cut = rnd.nextInt(5) == 0 ? rnd.nextInt(b.length) : b.length;
            decodeAll(java.util.Arrays.copyOf(b, cut)); // must only return, never throw
        }
    }

    /** janytun's table change frames: what they look like, and that they decode to what was encoded. */
    @Test
    void tableChangeAndDropFrames() throws Exception {
        assertEquals("00058 22 serialization::archive 18 0 0 20 janytun-table-change 7",
                CODEC.encodeFrameText(new TableChange(7)));
        assertEquals("00060 22 serialization::archive 18 0 0 18 janytun-table-drop 0 513",
                CODEC.encodeFrameText(TableDrop.connection(513)));
        assertEquals("00072 22 serialization::archive 18 0 0 18 janytun-table-drop 1 24 0 8 10.1.2.0",
                CODEC.encodeFrameText(TableDrop.route(org.janytun.route.IpPrefix.parse("10.1.2.0/24"))));
        for (SyncRecord r : List.of(new TableChange(4294967295L), TableDrop.connection(0),
                TableDrop.connection(65535), TableDrop.route(org.janytun.route.IpPrefix.parse("fd00:1::/32")))) {
            SyncRecord back = SyncCodec.decodeFrame(CODEC.encodeFrame(r));
            assertEquals(CODEC.encodeFrameText(r), CODEC.encodeFrameText(back));
        }
        assertEquals(org.janytun.route.IpPrefix.parse("fd00:1::/32"), ((TableDrop) SyncCodec.decodeFrame(
                CODEC.encodeFrame(TableDrop.route(org.janytun.route.IpPrefix.parse("fd00:1::/32"))))).prefix());
        assertThrows(SyncFormatException.class, () -> SyncCodec.decodeBody(
                "22 serialization::archive 18 0 0 18 janytun-table-drop 2 5"));
        assertThrows(SyncFormatException.class, () -> SyncCodec.decodeBody(
                "22 serialization::archive 18 0 0 18 janytun-table-drop 0 65536"));
    }
}
