package org.janytun.sync;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.janytun.crypto.Role;
import org.janytun.address.InetText;

/**
 * The frames of the anytun sync protocol (SYNC.md §1.2 to §1.5): {@code LLLLL <archive>}, where {@code LLLLL} is
 * the archive's length as 5 zero-padded decimal digits and the archive is a Boost.Serialization text archive of one
 * {@code connection} or {@code route} command.
 *
 * <p><b>Encoding</b> gives exactly the bytes of Debian's anytun 0.3.8 (Boost 1.74): one space between tokens,
 * class information {@code 0 0} at the first use of each class and not for the second salt/key buffer, bytes and
 * prefix lengths as decimal numbers, library version 18 unless configured otherwise (a reader built with a
 * different Boost may insist on its own number, SYNC.md §1.3).
 *
 * <p><b>Decoding</b> accepts everything the reference reader accepts on these two schemas: any library version,
 * any white space between numbers, leading zeros, any single byte after a string's length, any class version,
 * unknown commands ({@link UnknownRecord}) and trailing bytes. It is strict where the reference is dangerous:
 * numbers must fit their fields, buffers are limited in size before they are read (the reference overflows its heap
 * on a 5000-byte salt), salt and key sizes must fit the key length, prefix lengths must fit the family, the family
 * must be IPv4 or IPv6, and the remote host must be an IP literal (the reference applies half a record and then
 * fails on a name).
 */
public final class SyncCodec {
    /** The Boost archive library version Debian bookworm's anytun writes (Boost 1.74). */
    public static final int DEFAULT_ARCHIVE_VERSION = 18;
    /** The largest archive a 5-digit length field can announce. */
    public static final int MAX_WIRE_LENGTH = 99_999;
    /** The default limit on one frame's archive (real frames have 67 to 270 bytes). */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 65_536;
    /** Limit on a command string. */
    public static final int MAX_COMMAND_LENGTH = 64;
    /** Limit on a host or address string (an IPv6 literal with a scope fits). */
    public static final int MAX_ADDRESS_LENGTH = 64;
    /** Limit on a salt or key buffer, checked before its bytes are read. */
    public static final int MAX_BUFFER_LENGTH = 32;

    static final String SIGNATURE = "serialization::archive";

    private final int archiveVersion;

    /** A codec that writes library version {@value #DEFAULT_ARCHIVE_VERSION}. */
    public SyncCodec() {
        this(DEFAULT_ARCHIVE_VERSION);
    }

    /** A codec that writes the given library version (e.g. 16 for a Boost 1.67 peer, 19 for Boost 1.76 to 1.83). */
    public SyncCodec(int archiveVersion) {
        if (archiveVersion < 0 || archiveVersion > 0xFFFF) {
            throw new IllegalArgumentException("archive version " + archiveVersion + " is out of range (0 to 65535)");
        }
        this.archiveVersion = archiveVersion;
    }

    public int archiveVersion() {
        return archiveVersion;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Encoding

    /** The archive text of {@code r} (the frame without its length prefix). */
    public String encodeBody(SyncRecord r) {
        StringBuilder sb = new StringBuilder(256);
        appendBody(sb, r);
        return sb.toString();
    }

    private void appendBody(StringBuilder sb, SyncRecord r) {
        string(sb, SIGNATURE).append(' ').append(archiveVersion).append(" 0 0 ");
        switch (r) {
            case ConnectionRecord c -> {
                string(sb, "connection").append(" 0 0 ").append(c.mux()).append(" 0 0 0 0 ")
                        .append(c.role() == Role.LEFT ? 0 : 1).append(' ').append(c.keyLength()).append(" 0 0 ");
                buffer(sb, c.masterSalt()).append(' ');
                buffer(sb, c.masterKey()).append(" 0 0 ").append(c.windowSize()).append(' ').append(c.seqNr())
                        .append(' ');
                string(sb, c.remoteHost()).append(' ').append(c.remotePort());
            }
            case RouteRecord rt -> {
                string(sb, "route").append(" 0 0 0 0 ").append(rt.prefixLength()).append(" 0 0 ")
                        .append(rt.isIpv4() ? 0 : 1).append(' ');
                string(sb, rt.addressText()).append(' ').append(rt.mux());
            }
            case TableMarker m -> string(sb, m.command()).append(' ').append(m.generation());
            case TableChange c -> string(sb, TableChange.COMMAND).append(' ').append(c.generation());
            case TableDrop d when d.route() == null -> string(sb, TableDrop.COMMAND).append(" 0 ").append(d.mux());
            case TableDrop d -> {
                string(sb, TableDrop.COMMAND).append(" 1 ").append(d.route().prefixLength()).append(' ')
                        .append(d.route().isIpv4() ? 0 : 1).append(' ');
                string(sb, d.route().addressText());
            }
            case UnknownRecord u -> string(sb, u.command());
        }
    }

    /** The complete frame of {@code r}: the 5-digit length, a space, the archive. ASCII. */
    public byte[] encodeFrame(SyncRecord r) {
        return encodeFrameText(r).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@link #encodeFrame} as a string (one line of an anytun-config table, without the newline). */
    public String encodeFrameText(SyncRecord r) {
        StringBuilder sb = new StringBuilder(256);
        appendFrame(sb, r);
        return sb.toString();
    }

    /**
     * The frames of {@code records}, one after the other (a dump: 131,070 records at 65,535 connections), built in
     * one buffer rather than as a string, a frame and an array per record.
     */
    public byte[] encodeFrames(List<? extends SyncRecord> records) {
        StringBuilder sb = new StringBuilder(Math.max(16, records.size() * 150));
        for (SyncRecord r : records) {
            appendFrame(sb, r);
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Appends the frame of {@code r}: the 5-digit length, a space, the archive. */
    private void appendFrame(StringBuilder sb, SyncRecord r) {
        int start = sb.length();
        sb.append("00000 ");
        appendBody(sb, r);
        int len = sb.length() - start - 6;
        if (len > MAX_WIRE_LENGTH) {
            sb.setLength(start);
            throw new IllegalStateException("archive of " + len + " bytes does not fit a frame");
        }
        for (int i = start + 4; i >= start; i--, len /= 10) {
            sb.setCharAt(i, (char) ('0' + len % 10));
        }
    }

    private static StringBuilder string(StringBuilder sb, String s) {
        return sb.append(s.length()).append(' ').append(s);
    }

    private static StringBuilder buffer(StringBuilder sb, byte[] b) {
        sb.append(b.length);
        for (byte x : b) {
            sb.append(' ').append(x & 0xFF);
        }
        java.util.Arrays.fill(b, (byte) 0); // the accessors handed out copies
        return sb;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Decoding

    /**
     * Decodes one archive (a frame without its length prefix).
     *
     * @throws SyncFormatException (recoverable) saying what is wrong
     */
    public static SyncRecord decodeBody(byte[] body, int off, int len) throws SyncFormatException {
        return new Parser(body, off, off + len).record();
    }

    /** Decodes one archive given as text (ISO-8859-1, so any byte survives). */
    public static SyncRecord decodeBody(String body) throws SyncFormatException {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        return decodeBody(b, 0, b.length);
    }

    /**
     * Decodes exactly one complete frame ({@code LLLLL <archive>}) with nothing after it.
     *
     * @throws SyncFormatException if the length field is bad, does not match, or the archive is bad
     */
    public static SyncRecord decodeFrame(byte[] frame) throws SyncFormatException {
        if (frame.length < 6) {
            throw new SyncFormatException("truncated frame: " + frame.length + " bytes", false);
        }
        int len = SyncFrameReader.parseLength(frame, 0);
        if (len == 0) {
            throw SyncFormatException.badFrame("empty frame (length 0)");
        }
        if (frame.length - 6 != len) {
            throw new SyncFormatException("the length field says " + len + " bytes but " + (frame.length - 6)
                    + " follow", false);
        }
        return decodeBody(frame, 6, len);
    }

    static void checkUint16(String field, int v) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(field + " " + v + " is out of range (0 to 65535)");
        }
    }

    static void checkUint32(String field, long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(field + " " + v + " is out of range (0 to 4294967295)");
        }
    }

    /** A reader of one archive, token by token, with the reference reader's rules (istream {@code >>}). */
    private static final class Parser {
        private final byte[] b;
        private int pos;
        private final int end;
        private String command = "archive";

        Parser(byte[] b, int from, int to) {
            this.b = b;
            this.pos = from;
            this.end = to;
        }

        SyncRecord record() throws SyncFormatException {
            String signature = string("signature", SIGNATURE.length());
            if (!signature.equals(SIGNATURE)) {
                throw error("invalid signature (not a Boost text archive)");
            }
            number("archive library version", 0xFFFF);
            classInfo("SyncCommand");
            command = string("command", MAX_COMMAND_LENGTH);
            try {
                return switch (command) {
                    case "connection" -> connection();
                    case "route" -> route();
                    case TableMarker.BEGIN_COMMAND, TableMarker.END_COMMAND ->
                            new TableMarker(command.equals(TableMarker.BEGIN_COMMAND),
                                    number("generation", 0xFFFF_FFFFL));
                    case TableChange.COMMAND -> new TableChange(number("generation", 0xFFFF_FFFFL));
                    case TableDrop.COMMAND -> drop();
                    default -> {
                        if (command.isEmpty()) {
                            throw error("empty command");
                        }
                        yield new UnknownRecord(command);
                    }
                };
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        private ConnectionRecord connection() throws SyncFormatException {
            classInfo("SyncConnectionCommand");
            int mux = (int) number("mux", 0xFFFF);
            classInfo("ConnectionParam");
            classInfo("KeyDerivation");
            long role = number("role", 0xFFFF_FFFFL);
            if (role > 1) {
                throw error("role " + role + " is neither 0 (left) nor 1 (right)");
            }
            int keyLength = (int) number("key length", 0xFFFF);
            classInfo("SyncBuffer");
            byte[] salt = buffer("master salt");
            byte[] key = buffer("master key");
            try {
                ConnectionRecord.checkKeyMaterial(keyLength, salt.length, key.length);
                classInfo("SeqWindow");
                long window = number("window size", 0xFFFF_FFFFL);
                long seq = number("sequence number", 0xFFFF_FFFFL);
                String host = string("remote host", MAX_ADDRESS_LENGTH);
                int port = (int) number("remote port", 0xFFFF);
                return new ConnectionRecord(mux, role == 0 ? Role.LEFT : Role.RIGHT, keyLength, salt, key, window,
                        seq, host, port);
            } finally {
                java.util.Arrays.fill(salt, (byte) 0);
                java.util.Arrays.fill(key, (byte) 0);
            }
        }

        private TableDrop drop() throws SyncFormatException {
            if (number("kind", 1) == 0) {
                return TableDrop.connection((int) number("mux", 0xFFFF));
            }
            int length = (int) number("prefix length", 0xFF);
            return new TableDrop(0, new RouteRecord(address(), length, 0));
        }

        /** An address family (0 IPv4, 1 IPv6) and the address as text. */
        private byte[] address() throws SyncFormatException {
            long family = number("address family", 0xFFFF_FFFFL);
            if (family == 2) {
                throw error("ethernet routes are not supported");
            }
            if (family > 1) {
                throw error("address family " + family + " is neither 0 (IPv4) nor 1 (IPv6)");
            }
            String text = string("address", MAX_ADDRESS_LENGTH);
            byte[] a = family == 0 ? InetText.parseIpv4(text) : InetText.parseIpv6(text);
            if (a == null) {
                throw error("'" + InetText.printable(text) + "' is not an " + (family == 0 ? "IPv4" : "IPv6")
                        + " address");
            }
            return a;
        }

        private RouteRecord route() throws SyncFormatException {
            classInfo("SyncRouteCommand");
            classInfo("NetworkPrefix");
            int length = (int) number("prefix length", 0xFF);
            classInfo("NetworkAddress");
            byte[] a = address();
            int mux = (int) number("mux", 0xFFFF);
            return new RouteRecord(a, length, mux);
        }

        private SyncFormatException error(String what) {
            return SyncFormatException.badFrame("bad " + InetText.printable(command) + " frame: " + what);
        }

        private static boolean space(int c) {
            return c == ' ' || (c >= '\t' && c <= '\r');
        }

        /** An unsigned decimal number up to {@code max}, after optional white space. */
        long number(String field, long max) throws SyncFormatException {
            return number(field, "", max);
        }

        /**
         * {@link #number(String, long)} for the field named {@code field + part}. The two parts are joined only for
         * a message: joined on every call, as they once were, they cost two string concatenations per number
         * (forty per connection frame), and C2 spent seconds compiling the decoder with all of them inlined.
         */
        long number(String field, String part, long max) throws SyncFormatException {
            while (pos < end && space(b[pos])) {
                pos++;
            }
            if (pos == end) {
                throw error("truncated before the " + field + part);
            }
            int start = pos;
            long v = 0;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                v = v * 10 + (b[pos] - '0');
                if (v > max) {
                    throw error(field + part + " is out of range (at most " + max + ")");
                }
                pos++;
            }
            if (pos == start) {
                throw error("expected a number for the " + field + part);
            }
            return v;
        }

        /** A string: its length, one separator byte (any), then that many bytes. */
        String string(String field, int maxLength) throws SyncFormatException {
            long n = number(field, " length", Integer.MAX_VALUE);
            if (n > maxLength) {
                throw error(field + " of " + n + " bytes is too long (at most " + maxLength + ")");
            }
            if (pos < end) {
                pos++; // the separator, whatever it is
            } else if (n > 0) {
                throw error("truncated in the " + field);
            }
            if (end - pos < n) {
                throw error("truncated in the " + field);
            }
            String s = new String(b, pos, (int) n, StandardCharsets.ISO_8859_1);
            pos += (int) n;
            return s;
        }

        /** Class information: tracking level (0 or 1), then class version. */
        void classInfo(String cls) throws SyncFormatException {
            number(cls, " tracking level", 1);
            number(cls, " class version", 0xFFFF_FFFFL);
        }

        /** A SyncBuffer: byte count (limited before reading), then each byte as a decimal number. */
        byte[] buffer(String field) throws SyncFormatException {
            long n = number(field, " size", 0xFFFF_FFFFL);
            if (n > MAX_BUFFER_LENGTH) {
                throw error(field + " of " + n + " bytes is too long (at most " + MAX_BUFFER_LENGTH + ")");
            }
            byte[] out = new byte[(int) n];
            for (int i = 0; i < n; i++) {
                out[i] = (byte) number(field, " byte", 0xFF);
            }
            return out;
        }
    }
}
