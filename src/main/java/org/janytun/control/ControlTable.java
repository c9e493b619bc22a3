package org.janytun.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncFormatException;
import org.janytun.sync.SyncRecord;
import org.janytun.sync.TableMarker;
import org.janytun.sync.UnknownRecord;

/**
 * The table a control daemon serves: the lines of an anytun-config output file, each one complete sync frame, checked
 * and kept byte for byte (SYNC.md §2.2). What goes on the wire is the lines without their line ends, in file order,
 * exactly as anytun-controld sends them.
 *
 * <p>Stricter than anytun-controld, which sends whatever the file holds: every line must be exactly one valid
 * {@code connection} or {@code route} frame whose length field matches the line; otherwise the whole file is refused
 * with the number of the first bad line. A CR before the LF is removed (anytun-controld would send it and put its
 * clients out of step), and empty lines and lines starting with {@code #} are skipped (anytun-config never writes
 * them).
 */
public final class ControlTable {
    /**
     * Largest table file read: every mux there is (65,536) with a few routes each is about 30 MiB of records as
     * janytun-config writes them (≈ 300 bytes a connection with a /32 route).
     */
    public static final long MAX_FILE_SIZE = 64L << 20;

    /** A file that cannot be served, with the place of the problem. */
    public static final class TableException extends Exception {
        private final int line;

        public TableException(String message, int line) {
            super(message, null, false, false);
            this.line = line;
        }

        /** The 1-based line number of the problem, or 0 for a problem with the whole file. */
        public int line() {
            return line;
        }
    }

    private final List<byte[]> lines;
    private final List<SyncRecord> records;
    private final byte[] wire;

    private ControlTable(List<byte[]> lines, List<SyncRecord> records) {
        this.lines = List.copyOf(lines);
        this.records = List.copyOf(records);
        ByteArrayOutputStream w = new ByteArrayOutputStream();
        lines.forEach(w::writeBytes);
        this.wire = w.toByteArray();
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws TableException naming the file and line ({@code file:12: ...}) for the first bad line
     * @throws IOException when the file cannot be read
     */
    public static ControlTable read(Path file) throws IOException, TableException {
        byte[] all;
        try (InputStream in = Files.newInputStream(file)) {
            all = in.readNBytes((int) MAX_FILE_SIZE + 1);
        }
        if (all.length > MAX_FILE_SIZE) {
            throw new TableException(file + ": larger than " + (MAX_FILE_SIZE >> 20) + " MiB", 0);
        }
        return parse(all, file.toString());
    }

    /** Checks the table text {@code all}; {@code name} prefixes the messages. */
    public static ControlTable parse(byte[] all, String name) throws TableException {
        List<byte[]> lines = new ArrayList<>();
        List<SyncRecord> records = new ArrayList<>();
        int start = 0;
        int number = 0;
        while (start < all.length) {
            number++;
            int end = start;
            while (end < all.length && all[end] != '\n') {
                end++;
            }
            int next = end + 1;
            if (end > start && all[end - 1] == '\r') {
                end--;
            }
            byte[] line = Arrays.copyOfRange(all, start, end);
            start = next;
            if (blank(line) || line[0] == '#') {
                continue;
            }
            SyncRecord r;
            try {
                r = SyncCodec.decodeFrame(line);
            } catch (SyncFormatException e) {
                throw new TableException(name + ":" + number + ": " + e.getMessage()
                        + " (each line must be one frame as janytun-config writes it)", number);
            }
            if (r instanceof UnknownRecord u) {
                throw new TableException(name + ":" + number + ": unknown command '" + u.command()
                        + "' (a table holds connection and route frames)", number);
            }
            if (r instanceof TableMarker) {
                throw new TableException(name + ":" + number + ": a table marker does not belong in a table file",
                        number);
            }
            lines.add(line);
            records.add(r);
        }
        return new ControlTable(lines, records);
    }

    private static boolean blank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /** The bytes sent to a client: every frame, in file order, nothing in between. */
    public byte[] wire() {
        return wire.clone();
    }

    /** The decoded records, in file order. */
    public List<SyncRecord> records() {
        return records;
    }

    /** The number of frames. */
    public int size() {
        return lines.size();
    }

    public long connections() {
        return records.stream().filter(r -> r instanceof ConnectionRecord).count();
    }

    public long routes() {
        return records.stream().filter(r -> r instanceof RouteRecord).count();
    }

    /** Without key material. */
    @Override
    public String toString() {
        return connections() + " connections, " + routes() + " routes";
    }
}
