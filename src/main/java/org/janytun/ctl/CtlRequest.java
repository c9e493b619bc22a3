package org.janytun.ctl;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One request on the control socket, in the style of WireGuard's UAPI: lines of {@code key=value} ending with an
 * empty line; the first line names the operation with the value 1 ({@code show=1}, {@code set-key=1}, ...).
 *
 * <pre>
 *   request = op "=1" LF *(key "=" value LF) LF
 *   op, key = [a-z] [a-z0-9-]{0,31}
 *   value   = 1..512 printable ASCII characters other than space (0x21..0x7E)
 * </pre>
 * At most {@link #MAX_LINES} lines and {@link #MAX_BYTES} bytes in all; a key appears at most once. Anything else
 * is refused with a {@link CtlException} whose message names the line, never echoes a value (it may be a key).
 */
public record CtlRequest(String op, Map<String, String> params) {
    /** The longest request. */
    public static final int MAX_BYTES = 8192;
    /** The most lines, the operation's included. */
    public static final int MAX_LINES = 64;
    static final int MAX_NAME = 32;
    static final int MAX_VALUE = 512;

    public CtlRequest {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** The value of {@code key}, if given. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(params.get(key));
    }

    /** Refuses keys other than {@code allowed} (the operation's own). */
    public void allowOnly(Set<String> allowed) throws CtlException {
        for (String k : params.keySet()) {
            if (!allowed.contains(k)) {
                throw new CtlException(CtlException.EINVAL, op + " takes no '" + k + "'");
            }
        }
    }

    /** Whether {@code buf[0, len)} holds a whole request (ends with an empty line). */
    public static boolean complete(byte[] buf, int len) {
        return len >= 2 && buf[len - 1] == '\n' && buf[len - 2] == '\n';
    }

    /** Parses {@code buf[0, len)}, which must end with the empty line. */
    public static CtlRequest parse(byte[] buf, int len) throws CtlException {
        if (len > MAX_BYTES || len > buf.length) {
            throw new CtlException(CtlException.E2BIG, "request longer than " + MAX_BYTES + " bytes");
        }
        if (!complete(buf, len)) {
            throw new CtlException(CtlException.EINVAL, "request does not end with an empty line");
        }
        String op = null;
        Map<String, String> params = new LinkedHashMap<>();
        int lineNo = 0;
        int start = 0;
        int end = len - 1; // the last line feed ends the request
        while (start < end) {
            int nl = start;
            while (buf[nl] != '\n') {
                nl++;
            }
            lineNo++;
            if (lineNo > MAX_LINES) {
                throw new CtlException(CtlException.E2BIG, "more than " + MAX_LINES + " lines");
            }
            if (nl == start) {
                throw new CtlException(CtlException.EINVAL, "line " + lineNo + ": empty line inside the request");
            }
            int eq = -1;
            for (int i = start; i < nl; i++) {
                if (buf[i] == '=') {
                    eq = i;
                    break;
                }
            }
            if (eq < 0) {
                throw new CtlException(CtlException.EINVAL, "line " + lineNo + ": not key=value");
            }
            String key = name(buf, start, eq, lineNo);
            String value = value(buf, eq + 1, nl, lineNo, key);
            if (op == null) {
                if (!value.equals("1")) {
                    throw new CtlException(CtlException.EINVAL, "line 1: the operation takes the value 1 ("
                            + key + "=1)");
                }
                op = key;
            } else if (params.putIfAbsent(key, value) != null || key.equals(op)) {
                throw new CtlException(CtlException.EINVAL, "line " + lineNo + ": '" + key + "' given twice");
            }
            start = nl + 1;
        }
        if (op == null) {
            throw new CtlException(CtlException.EINVAL, "empty request");
        }
        return new CtlRequest(op, params);
    }

    private static String name(byte[] buf, int from, int to, int lineNo) throws CtlException {
        int n = to - from;
        boolean ok = n >= 1 && n <= MAX_NAME && buf[from] >= 'a' && buf[from] <= 'z';
        for (int i = from; ok && i < to; i++) {
            byte b = buf[i];
            ok = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-';
        }
        if (!ok) {
            throw new CtlException(CtlException.EINVAL, "line " + lineNo + ": a key is 1 to " + MAX_NAME
                    + " of a-z, 0-9 and '-', starting with a letter");
        }
        return new String(buf, from, n, StandardCharsets.US_ASCII);
    }

    private static String value(byte[] buf, int from, int to, int lineNo, String key) throws CtlException {
        int n = to - from;
        if (n < 1 || n > MAX_VALUE) {
            throw new CtlException(CtlException.EINVAL, "line " + lineNo + ": the value of '" + key
                    + "' must have 1 to " + MAX_VALUE + " characters");
        }
        for (int i = from; i < to; i++) {
            if (buf[i] < 0x21 || buf[i] > 0x7E) {
                throw new CtlException(CtlException.EINVAL, "line " + lineNo + ": the value of '" + key
                        + "' holds a character other than printable ASCII without space");
            }
        }
        return new String(buf, from, n, StandardCharsets.US_ASCII);
    }

    /** The request as sent on the socket (for janytun-ctl). */
    public byte[] encode() {
        StringBuilder b = new StringBuilder(op).append("=1\n");
        params.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
