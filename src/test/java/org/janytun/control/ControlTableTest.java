package org.janytun.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.janytun.crypto.Role;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reload pushes: the change from one table to the next, and the records kept from the previous read. */
class ControlTableTest {
    private static final SyncCodec CODEC = new SyncCodec();

    @TempDir
    Path tmp;

    private static String connection(int mux, int keyByte) {
        byte[] key = new byte[16];
        java.util.Arrays.fill(key, (byte) keyByte);
        return CODEC.encodeFrameText(new ConnectionRecord(mux, Role.LEFT, 128, new byte[14], key, 0, 0,
                ConnectionRecord.UNSET_HOST, 4444)) + "\n";
    }

    private static String route(String prefix, int mux) {
        return CODEC.encodeFrameText(RouteRecord.parse(prefix, mux)) + "\n";
    }

    private static ControlTable table(String text) throws Exception {
        return ControlTable.parse(text.getBytes(StandardCharsets.ISO_8859_1), "t");
    }

    private static String text(ControlTable.Change c) {
        return new String(c.wire(CODEC), StandardCharsets.ISO_8859_1);
    }

    /** The warm-up of the reload path parses an edit of the table's own text and changes nothing. */
    @Test
    void theReloadWarmUpChangesNothing() throws Exception {
        String text = "# a comment first\n" + connection(1, 1) + route("10.0.0.1/32", 1) + connection(2, 2);
        ControlTable t = table(text);
        t.warmReloadPath(3);
        assertEquals(3, t.size());
        assertEquals("", text(t.changeFrom(table(text))));
        table("").warmReloadPath(2); // nothing to warm
        table(route("10.0.0.1/32", 1)).warmReloadPath(2); // no connection to edit
    }

    /** A table larger than the warm-up's sample (and one whose first connection lies beyond it) is not changed. */
    @Test
    void theReloadWarmUpOfALargeTableChangesNothing() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 3 * ControlTable.WARM_UP_SAMPLE; i++) {
            text.append(connection(i, i)).append(route("10.0." + (i >> 8) + "." + (i & 255) + "/32", i));
        }
        ControlTable t = table(text.toString());
        t.warmReloadPath(5);
        assertEquals(6 * ControlTable.WARM_UP_SAMPLE, t.size());
        assertEquals("", text(t.changeFrom(table(text.toString()))));

        StringBuilder routesFirst = new StringBuilder();
        for (int i = 1; i <= 2 * ControlTable.WARM_UP_SAMPLE; i++) {
            routesFirst.append(route("10.1." + (i >> 8) + "." + (i & 255) + "/32", 1));
        }
        ControlTable u = table(routesFirst + connection(1, 1));
        u.warmReloadPath(2);
        assertEquals("", text(u.changeFrom(table(routesFirst + connection(1, 1)))));
    }

    @Test
    void aRecordChangedInPlaceIsTheWholeChange() throws Exception {
        ControlTable old = table(connection(1, 1) + route("10.0.0.1/32", 1) + connection(2, 2) + route("10.0.0.2/32", 2));
        ControlTable now = table(connection(1, 1) + route("10.0.0.1/32", 1) + connection(2, 9) + route("10.0.0.2/32", 2));
        ControlTable.Change c = now.changeFrom(old);
        assertEquals(connection(2, 9).trim(), text(c));
        assertEquals(List.of(), c.drops());
        assertEquals("", text(old.changeFrom(table(connection(1, 1) + route("10.0.0.1/32", 1) + connection(2, 2)
                + route("10.0.0.2/32", 2)))));
    }

    @Test
    void addedMovedAndRemovedRecords() throws Exception {
        ControlTable old = table(connection(1, 1) + route("10.0.0.1/32", 1) + connection(2, 2) + route("10.0.0.2/32", 2)
                + route("10.9.0.0/16", 2));
        // 2 removed with its routes, 3 added, 1 moved to the end with its route now a /31, a comment
        ControlTable now = table("# edited\n" + connection(3, 3) + route("10.0.0.3/32", 3) + connection(1, 1)
                + route("10.0.0.0/31", 1));
        ControlTable.Change c = now.changeFrom(old);
        assertEquals(connection(3, 3) + route("10.0.0.3/32", 3) + route("10.0.0.0/31", 1).trim(),
                String.join("\n", c.frames().stream().map(f -> new String(f, StandardCharsets.ISO_8859_1)).toList()));
        assertEquals(List.of("10.0.0.1/32", "mux 2", "10.0.0.2/32", "10.9.0.0/16"),
                c.drops().stream().map(d -> d.route() == null ? "mux " + d.mux() : d.prefix().toString()).toList());
    }

    /** Where a file has a connection twice, the last line counts (as for a client that applies it whole). */
    @Test
    void theLastLineOfAConnectionCounts() throws Exception {
        ControlTable old = table(connection(1, 1) + connection(1, 2));
        ControlTable now = table(connection(1, 2) + connection(1, 1)); // the same lines, the other one last
        assertEquals(connection(1, 1).trim(), text(now.changeFrom(old)));
        ControlTable edited = table(connection(1, 5) + connection(1, 2)); // the first one edited: no change
        assertEquals("", text(edited.changeFrom(old)));
    }

    @Test
    void aReReadKeepsTheRecordsOfUnchangedLines() throws Exception {
        Path f = tmp.resolve("table.txt");
        StringBuilder b = new StringBuilder();
        for (int mux = 1; mux <= 40; mux++) {
            b.append(connection(mux, mux)).append(route("10.0.0." + mux + "/32", mux));
        }
        Files.writeString(f, b, StandardCharsets.ISO_8859_1);
        ControlTable first = ControlTable.read(f);
        // one line edited in place, then (another read) lines inserted before all the others
        Files.writeString(f, b.toString().replace(connection(7, 7), connection(7, 70)), StandardCharsets.ISO_8859_1);
        ControlTable second = ControlTable.read(f, first);
        assertSame(first.records().get(0), second.records().get(0));
        assertNotSame(first.records().get(12), second.records().get(12));
        assertEquals(connection(7, 70).trim(), text(second.changeFrom(first)));
        String shifted = connection(99, 99).repeat(1) + route("10.1.0.0/16", 99) + b;
        Files.writeString(f, shifted, StandardCharsets.ISO_8859_1);
        ControlTable third = ControlTable.read(f, first);
        assertSame(first.records().get(79), third.records().get(81));
        assertEquals(ControlTable.parse(shifted.getBytes(StandardCharsets.ISO_8859_1), "t").wire().length,
                third.wire().length);
        assertEquals(connection(99, 99).trim() + route("10.1.0.0/16", 99).trim(), text(third.changeFrom(first)));
    }

    /**
     * Whatever the edit (a line changed, added, removed, several, a comment, CRLF), a table read against the
     * previous one is the table read on its own: the same frames and records, and it serves as the previous one of
     * the next read.
     */
    @Test
    void aReadAgainstThePreviousTableIsTheTableReadOnItsOwn() throws Exception {
        java.util.Random rnd = new java.util.Random(23);
        List<String> lines = new java.util.ArrayList<>();
        for (int mux = 1; mux <= 30; mux++) {
            lines.add(connection(mux, mux).trim());
            lines.add(route("10.0.0." + mux + "/32", mux).trim());
        }
        ControlTable prev = table(String.join("\n", lines) + "\n");
        for (int round = 0; round < 300; round++) {
            int edits = 1 + rnd.nextInt(round % 5 == 0 ? 3 : 1);
            for (int e = 0; e < edits; e++) {
                int at = rnd.nextInt(lines.size() + 1);
                switch (rnd.nextInt(5)) {
                    case 0 -> lines.add(at, connection(100 + rnd.nextInt(50), rnd.nextInt(256)).trim());
                    case 1 -> {
                        if (lines.size() > 1) {
                            lines.remove(Math.min(at, lines.size() - 1));
                        }
                    }
                    case 2 -> lines.add(at, "# a comment " + round);
                    default -> lines.set(Math.min(at, lines.size() - 1), connection(rnd.nextInt(40),
                            rnd.nextInt(256)).trim());
                }
            }
            String end = round % 7 == 0 ? "" : "\n";
            String text = String.join(round % 11 == 0 ? "\r\n" : "\n", lines) + end;
            byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            ControlTable alone = ControlTable.parse(bytes.clone(), "t");
            ControlTable against = ControlTable.parse(bytes, "t", prev);
            assertEquals(new String(alone.wire(), StandardCharsets.ISO_8859_1),
                    new String(against.wire(), StandardCharsets.ISO_8859_1), "round " + round);
            assertEquals(alone.records().stream().map(CODEC::encodeFrameText).toList(),
                    against.records().stream().map(CODEC::encodeFrameText).toList(), "round " + round);
            prev = against;
        }
    }

    /** A bad line in an edited stretch is refused with its number in the whole file. */
    @Test
    void aBadLineInAnEditIsNamedByItsNumberInTheFile() throws Exception {
        String good = connection(1, 1) + route("10.0.0.1/32", 1) + connection(2, 2) + route("10.0.0.2/32", 2);
        ControlTable prev = table(good);
        String bad = good.replace(connection(2, 2), "00010 garbage!!\n");
        ControlTable.TableException e = org.junit.jupiter.api.Assertions.assertThrows(ControlTable.TableException.class,
                () -> ControlTable.parse(bad.getBytes(StandardCharsets.ISO_8859_1), "t", prev));
        assertEquals(3, e.line());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("t:3: "), e.getMessage());
    }
}
