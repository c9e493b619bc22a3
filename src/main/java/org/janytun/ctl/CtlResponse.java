package org.janytun.ctl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer to one request: {@code key=value} lines, then {@code errno=N} (0 for success; with a {@code message=}
 * line before it otherwise) and an empty line. Values are forced onto one line of printable characters.
 */
public final class CtlResponse {
    private final List<String> lines = new ArrayList<>();

    public CtlResponse add(String key, Object value) {
        StringBuilder b = new StringBuilder(key).append('=');
        String v = String.valueOf(value);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            b.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        lines.add(b.toString());
        return this;
    }

    /** The lines so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The whole answer with {@code errno=0}. */
    public byte[] success() {
        StringBuilder b = new StringBuilder();
        lines.forEach(l -> b.append(l).append('\n'));
        return b.append("errno=0\n\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An answer that refuses: only the message and the errno. */
    public static byte[] failure(CtlException e) {
        CtlResponse r = new CtlResponse().add("message", e.getMessage());
        return (r.lines.getFirst() + "\nerrno=" + e.errno() + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
