package org.janytun.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.janytun.route.IpPrefix;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncFormatException;
import org.janytun.sync.SyncRecord;
import org.janytun.sync.TableDrop;
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

    private final List<SyncRecord> records;
    /**
     * The file as read (what the next read is compared with), and frame i as {@code text[textFrom[i]..textEnd[i])},
     * its line without the line end. The frames one after the other are what a client gets; they are put together
     * only for a client that connects ({@link #wire()}), so that a table of 65,535 connections is 19 MB, not 38, and
     * a reload makes one copy of the file, not two.
     */
    private final byte[] text;
    private final int[] textFrom;
    private final int[] textEnd;

    private ControlTable(List<SyncRecord> records, byte[] text, int[] textFrom, int[] textEnd) {
        this.records = List.copyOf(records);
        this.text = text;
        this.textFrom = textFrom;
        this.textEnd = textEnd;
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws TableException naming the file and line ({@code file:12: ...}) for the first bad line
     * @throws IOException when the file cannot be read
     */
    public static ControlTable read(Path file) throws IOException, TableException {
        return read(file, null);
    }

    /**
     * Reads and checks {@code file} as a new version of {@code previous} (or null): a line byte for byte as in
     * {@code previous} is not decoded again but keeps its record (a reload that changes one record of 65,535
     * decodes one line).
     */
    public static ControlTable read(Path file, ControlTable previous) throws IOException, TableException {
        byte[] all;
        try (InputStream in = Files.newInputStream(file)) {
            // one array of the file's size (a file that grows meanwhile is read on, to the limit)
            long size = Math.min(Files.size(file), MAX_FILE_SIZE + 1);
            all = readChunked(in, (int) size);
            int more = size <= MAX_FILE_SIZE ? in.read() : -1;
            if (more >= 0) {
                byte[] rest = in.readNBytes((int) (MAX_FILE_SIZE - size));
                byte[] grown = Arrays.copyOf(all, all.length + 1 + rest.length);
                grown[all.length] = (byte) more;
                System.arraycopy(rest, 0, grown, all.length + 1, rest.length);
                all = grown;
            }
        }
        if (all.length > MAX_FILE_SIZE) {
            throw new TableException(file + ": larger than " + (MAX_FILE_SIZE >> 20) + " MiB", 0);
        }
        return parse(all, file.toString(), previous);
    }

    /** How much of the file one read asks for (see {@link #readChunked}). */
    private static final int READ_CHUNK = 64 << 10;

    /**
     * Up to {@code size} bytes of {@code in}, read in chunks of {@value #READ_CHUNK}. One read of the whole file
     * would go through a native buffer of the file's size that the C library maps afresh (19 MB at 65,535
     * connections), and on a virtual machine touching memory for the first time is most of a re-read's time.
     */
    private static byte[] readChunked(InputStream in, int size) throws IOException {
        byte[] all = new byte[size];
        int n = 0;
        while (n < size) {
            int r = in.read(all, n, Math.min(READ_CHUNK, size - n));
            if (r < 0) {
                return Arrays.copyOf(all, n); // the file shrank meanwhile
            }
            n += r;
        }
        return all;
    }

    /** Lines of the sample table that {@link #warmReloadPath} drills on many times. */
    static final int WARM_UP_SAMPLE = 64;

    /**
     * Runs what a reload does — the re-read of this table with one record edited in place, the change against it
     * and the change's wire form — {@code rounds} times on a sample of {@value #WARM_UP_SAMPLE} of its lines and
     * once on the whole table, so that the first SIGHUP finds that path compiled and the memory of a re-read
     * already touched. The JIT compiles a method by how often it is called, not by how much it works, so the
     * rounds are cheap and the one whole round is what costs memory (two copies of the text for a moment). On a
     * table of 65,535 records the first re-read on cold code takes ten times as long as once compiled
     * (docs/PERFORMANCE.md, "Scale"). Changes nothing; the copies are garbage afterwards.
     */
    public void warmReloadPath(int rounds) {
        int edit = firstConnection();
        if (edit < 0) {
            return; // routes alone: nothing a reload would decode
        }
        try {
            ControlTable sample = edit < WARM_UP_SAMPLE && size() > WARM_UP_SAMPLE
                    ? parse(Arrays.copyOf(text, textFrom[WARM_UP_SAMPLE]), "warm-up", null) : this;
            for (int i = 0; i < rounds; i++) {
                sample.reloadDrill(edit);
            }
            if (sample != this) {
                reloadDrill(edit);
            }
        } catch (TableException e) {
            throw new IllegalStateException("a table that parsed does not parse again: " + e.getMessage(), e);
        }
    }

    private int firstConnection() {
        for (int i = 0; i < size(); i++) {
            if (records.get(i) instanceof ConnectionRecord) {
                return i;
            }
        }
        return -1;
    }

    /** One reload with record {@code i} (a connection) given another remote port: read, change, wire. */
    private void reloadDrill(int i) throws TableException {
        ConnectionRecord c = (ConnectionRecord) records.get(i);
        ConnectionRecord other = new ConnectionRecord(c.mux(), c.role(), c.keyLength(), c.masterSalt(),
                c.masterKey(), c.windowSize(), c.seqNr(), c.remoteHost(), c.remotePort() ^ 1);
        byte[] frame = WARM_UP_CODEC.encodeFrame(other);
        int s = textFrom[i];
        int e = textEnd[i];
        byte[] edited = new byte[text.length - (e - s) + frame.length];
        System.arraycopy(text, 0, edited, 0, s);
        System.arraycopy(frame, 0, edited, s, frame.length);
        System.arraycopy(text, e, edited, s + frame.length, text.length - e);
        parse(edited, "warm-up", this).changeFrom(this).wire(WARM_UP_CODEC);
    }

    private static final SyncCodec WARM_UP_CODEC = new SyncCodec();

    /** Checks the table text {@code all}; {@code name} prefixes the messages. */
    public static ControlTable parse(byte[] all, String name) throws TableException {
        return parse(all, name, null);
    }

    /**
     * {@link #parse(byte[], String)}, taking the records of the lines that {@code previous} (or null) has too.
     * {@code all} is kept (the next read is compared with it): it must not change afterwards.
     */
    public static ControlTable parse(byte[] all, String name, ControlTable previous) throws TableException {
        if (previous != null) {
            ControlTable edited = editedInPlace(all, name, previous);
            if (edited != null) {
                return edited;
            }
        }
        int[] textFrom = new int[16];
        int[] textEnd = new int[16];
        int frames = 0;
        List<SyncRecord> records = new ArrayList<>();
        Map<Line, SyncRecord> known = null; // the previous table's lines, made once many are not where they were
        int moved = 0;
        int start = 0;
        int number = 0;
        while (start < all.length) {
            number++;
            int end = framedEnd(all, start);
            while (end < all.length && all[end] != '\n') {
                end++;
            }
            int next = end + 1;
            if (end > start && all[end - 1] == '\r') {
                end--;
            }
            int s = start;
            start = next;
            if (blank(all, s, end) || all[s] == '#') {
                continue;
            }
            SyncRecord r = null;
            if (previous != null) {
                if (frames < previous.size() && previous.sameLine(frames, all, s, end)) {
                    r = previous.records.get(frames); // the common case: the line is where it was
                } else if (++moved > 16) { // lines were added or removed: look each one up
                    known = known != null ? known : previous.byLine();
                    r = known.get(new Line(all, s, end));
                }
            }
            if (r == null) {
                r = decode(Arrays.copyOfRange(all, s, end), name, number);
            }
            if (frames == textFrom.length) {
                textFrom = Arrays.copyOf(textFrom, frames * 2);
                textEnd = Arrays.copyOf(textEnd, frames * 2);
            }
            textFrom[frames] = s;
            textEnd[frames++] = end;
            records.add(r);
        }
        return new ControlTable(records, all, Arrays.copyOf(textFrom, frames), Arrays.copyOf(textEnd, frames));
    }

    /**
     * The common reload, cheaply: the file is {@code prev}'s but for one stretch of lines (an edited record). The
     * text before and after the stretch is compared as two blocks (the JDK's vectorised comparison, fast even
     * before the JIT has compiled anything here), the stretch alone is parsed, and the rest is taken from
     * {@code prev} as blocks. Null when the file is not like that (lines moved, several edits): then each line is
     * compared on its own.
     */
    private static ControlTable editedInPlace(byte[] all, String name, ControlTable prev) throws TableException {
        byte[] old = prev.text;
        int m = Arrays.mismatch(all, old);
        if (m < 0) {
            m = all.length; // the same file: an empty stretch at its end
        }
        int a = m; // the stretch starts with the line that holds the first difference (the same line in both)
        while (a > 0 && all[a - 1] != '\n') {
            a--;
        }
        int b = m; // and ends with that line in the new file, if what follows is the old file's end
        while (b < all.length && all[b++] != '\n') {
            // to the next line
        }
        int d = all.length - old.length;
        int oldB = b - d;
        if (oldB < a || oldB > old.length || (oldB > 0 && oldB < old.length && old[oldB - 1] != '\n')
                || !Arrays.equals(all, b, all.length, old, oldB, old.length)) {
            return null;
        }
        ControlTable stretch;
        try {
            stretch = parse(Arrays.copyOfRange(all, a, b), name, null);
        } catch (TableException e) { // its line numbers count from the stretch: from the file's start instead
            int n = e.line() + lineNumber(all, a) - 1;
            String prefix = name + ":" + e.line() + ":";
            String rest = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : " "
                    + e.getMessage();
            throw new TableException(name + ":" + n + ":" + rest, n);
        }
        int k0 = framesBefore(prev.textFrom, a); // prev's frames before the stretch, then those in it
        int k1 = framesBefore(prev.textFrom, oldB);
        int n = stretch.size();
        int frames = k0 + n + prev.size() - k1;
        int[] textFrom = new int[frames];
        int[] textEnd = new int[frames];
        System.arraycopy(prev.textFrom, 0, textFrom, 0, k0);
        System.arraycopy(prev.textEnd, 0, textEnd, 0, k0);
        for (int i = 0; i < n; i++) {
            textFrom[k0 + i] = a + stretch.textFrom[i];
            textEnd[k0 + i] = a + stretch.textEnd[i];
        }
        for (int i = k1; i < prev.size(); i++) {
            textFrom[i - k1 + k0 + n] = prev.textFrom[i] + d;
            textEnd[i - k1 + k0 + n] = prev.textEnd[i] + d;
        }
        List<SyncRecord> records = new ArrayList<>(frames);
        records.addAll(prev.records.subList(0, k0));
        records.addAll(stretch.records);
        records.addAll(prev.records.subList(k1, prev.size()));
        return new ControlTable(records, all, textFrom, textEnd);
    }

    /** How many frames start before {@code pos}: {@code starts} ascending. */
    private static int framesBefore(int[] starts, int pos) {
        int i = Arrays.binarySearch(starts, pos);
        return i >= 0 ? i : -i - 1;
    }

    /** The 1-based number of the line that starts at {@code pos} (for a message). */
    private static int lineNumber(byte[] b, int pos) {
        int n = 1;
        for (int i = 0; i < pos; i++) {
            n += b[i] == '\n' ? 1 : 0;
        }
        return n;
    }

    /**
     * Where the line at {@code start} ends if it is a frame whose length field is right (a frame's 5 digits and
     * space say how long it is: no need to look at each byte for the newline), else {@code start}.
     */
    private static int framedEnd(byte[] b, int start) {
        if (b.length - start < 6 || b[start + 5] != ' ') {
            return start;
        }
        int len = 0;
        for (int i = start; i < start + 5; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return start;
            }
            len = len * 10 + b[i] - '0';
        }
        int end = start + 6 + len;
        if (end < b.length && b[end] == '\r') {
            end++;
        }
        return end <= b.length && (end == b.length || b[end] == '\n') ? end : start;
    }

    private static SyncRecord decode(byte[] line, String name, int number) throws TableException {
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
        if (!(r instanceof ConnectionRecord) && !(r instanceof RouteRecord)) {
            throw new TableException(name + ":" + number + ": a table marker does not belong in a table file",
                    number);
        }
        return r;
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /** Whether frame {@code i} is the bytes {@code b[s..e)}. */
    private boolean sameLine(int i, byte[] b, int s, int e) {
        return Arrays.equals(text, textFrom[i], textEnd[i], b, s, e);
    }

    private byte[] line(int i) {
        return Arrays.copyOfRange(text, textFrom[i], textEnd[i]);
    }

    /** A line as a key: its bytes. */
    private static final class Line {
        private final byte[] b;
        private final int s;
        private final int e;
        private final int hash;

        Line(byte[] b, int s, int e) {
            this.b = b;
            this.s = s;
            this.e = e;
            int h = 1;
            for (int i = s; i < e; i++) {
                h = 31 * h + b[i];
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Line l && l.hash == hash && Arrays.equals(l.b, l.s, l.e, b, s, e);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private Map<Line, SyncRecord> byLine() {
        Map<Line, SyncRecord> m = HashMap.newHashMap(size());
        for (int i = 0; i < size(); i++) {
            m.put(new Line(text, textFrom[i], textEnd[i]), records.get(i));
        }
        return m;
    }

    /**
     * What a client that holds {@code old} needs to hold this table (a {@link org.janytun.sync.TableChange}'s
     * content): the frames of the connections and routes that are new or whose frame differs, in file order, and a
     * drop for each one {@code old} has and this table has not. A connection is known by its mux and a route by its
     * prefix; where a file has one twice, the last line is the one that counts, as for a client applying it whole.
     */
    public Change changeFrom(ControlTable old) {
        Change inPlace = changedInPlace(old);
        if (inPlace != null) {
            return inPlace;
        }
        Map<Object, Integer> before = old.lastLineByKey();
        Map<Object, Integer> after = lastLineByKey();
        List<byte[]> frames = new ArrayList<>();
        for (Map.Entry<Object, Integer> e : after.entrySet()) {
            Integer was = before.get(e.getKey());
            int i = e.getValue();
            if (was == null || !old.sameLine(was, text, textFrom[i], textEnd[i])) {
                frames.add(line(i));
            }
        }
        List<TableDrop> drops = new ArrayList<>();
        for (Object key : before.keySet()) {
            if (!after.containsKey(key)) {
                drops.add(key instanceof IpPrefix p ? TableDrop.route(p) : TableDrop.connection((Integer) key));
            }
        }
        return new Change(frames, drops);
    }

    /**
     * The change when this table is {@code old} with a few lines changed in place, each for the same connection
     * or route as before and the only line for it in both tables (what an edit of a record does); else null. Costs
     * a pass over the records, no more: the lines {@link #read(Path, ControlTable)} found unchanged kept their record.
     */
    private Change changedInPlace(ControlTable old) {
        if (old.size() != size()) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            SyncRecord now = records.get(i);
            if (now == old.records.get(i) || old.sameLine(i, text, textFrom[i], textEnd[i])) {
                continue;
            }
            Object key = keyOf(now);
            if (frames.size() == 16 || !key.equals(keyOf(old.records.get(i))) || !onlyLineOf(key, i)
                    || !old.onlyLineOf(key, i)) {
                return null;
            }
            frames.add(line(i));
        }
        return new Change(frames, List.of());
    }

    private boolean onlyLineOf(Object key, int line) {
        for (int j = 0; j < size(); j++) {
            SyncRecord r = records.get(j);
            boolean same = key instanceof Integer mux ? r instanceof ConnectionRecord c && c.mux() == mux
                    : r instanceof RouteRecord rt && rt.prefixLength() == ((IpPrefix) key).length()
                            && key.equals(rt.prefix());
            if (same && j != line) {
                return false;
            }
        }
        return true;
    }

    private static Object keyOf(SyncRecord r) {
        return r instanceof ConnectionRecord c ? (Object) c.mux() : ((RouteRecord) r).prefix();
    }

    /** The frames that are new or changed and the records that are gone, from one table to the next. */
    public record Change(List<byte[]> frames, List<TableDrop> drops) {
        /** The frames, then the drops, as sent between a change's markers. */
        public byte[] wire(SyncCodec codec) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            frames.forEach(b::writeBytes);
            drops.forEach(d -> b.writeBytes(codec.encodeFrame(d)));
            return b.toByteArray();
        }

        @Override
        public String toString() {
            return frames.size() + " new or changed, " + drops.size() + " dropped";
        }
    }

    /** Each connection's (by mux) and route's (by prefix) last line, in the order of those lines. */
    private Map<Object, Integer> lastLineByKey() {
        Map<Object, Integer> m = LinkedHashMap.newLinkedHashMap(size());
        for (int i = 0; i < size(); i++) {
            Object key = keyOf(records.get(i));
            m.remove(key); // a later line for the same key moves it to its place
            m.put(key, i);
        }
        return m;
    }

    /** The bytes sent to a client: every frame, in file order, nothing in between. */
    public byte[] wire() {
        return wire(new byte[0]);
    }

    /** {@link #wire()} followed by {@code tail}, in one array. */
    public byte[] wire(byte[] tail) {
        int length = tail.length;
        for (int i = 0; i < size(); i++) {
            length += textEnd[i] - textFrom[i];
        }
        byte[] out = new byte[length];
        int w = 0;
        for (int i = 0; i < size(); i++) {
            System.arraycopy(text, textFrom[i], out, w, textEnd[i] - textFrom[i]);
            w += textEnd[i] - textFrom[i];
        }
        System.arraycopy(tail, 0, out, w, tail.length);
        return out;
    }

    /** The decoded records, in file order. */
    public List<SyncRecord> records() {
        return records;
    }

    /** The number of frames. */
    public int size() {
        return textFrom.length;
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
