package org.janytun.sync;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads sync frames from a stream (a sync or control connection, stdin of showtables, a table file), one at a time,
 * with the reference reader's framing (SYNC.md §1.2): 5 bytes holding the decimal length (leading or trailing white
 * space allowed inside them), one separator byte of any value, then exactly that many bytes of archive.
 *
 * <p>Every read is bounded: a frame longer than the configured maximum is skipped (its length is known) and reported,
 * never buffered. Errors are {@link SyncFormatException}s: {@linkplain SyncFormatException#recoverable()
 * recoverable} ones concern one frame, which has been consumed, so {@link #next()} may simply be called again; the
 * others mean that the stream is out of step (a length field that is not a number) or ended inside a frame.
 *
 * <p>Not thread-safe: one reader per stream.
 */
public final class SyncFrameReader {
    private final InputStream in;
    private final int maxFrameLength;
    private final boolean skipLineBreaks;
    private final byte[] header = new byte[6];
    private byte[] lastBody = new byte[0];
    private long frames;

    /** A reader for the wire: frames follow each other directly; the limit is {@link SyncCodec#DEFAULT_MAX_FRAME_LENGTH}. */
    public SyncFrameReader(InputStream in) {
        this(in, SyncCodec.DEFAULT_MAX_FRAME_LENGTH, false);
    }

    /**
     * @param maxFrameLength the largest archive accepted, 1..99999
     * @param skipLineBreaks also accept CR and LF bytes between frames (an anytun-config table as written, with one
     *        frame per line), which the reference reader does not
     */
    public SyncFrameReader(InputStream in, int maxFrameLength, boolean skipLineBreaks) {
        if (maxFrameLength < 1 || maxFrameLength > SyncCodec.MAX_WIRE_LENGTH) {
            throw new IllegalArgumentException("maximum frame length must be 1 to " + SyncCodec.MAX_WIRE_LENGTH);
        }
        this.in = in;
        this.maxFrameLength = maxFrameLength;
        this.skipLineBreaks = skipLineBreaks;
    }

    /**
     * The next record, or null at the end of the stream (between two frames).
     *
     * @throws SyncFormatException for a bad frame (see the class comment)
     * @throws IOException when reading fails
     */
    public SyncRecord next() throws IOException {
        byte[] body = nextBody();
        if (body == null) {
            return null;
        }
        return SyncCodec.decodeBody(body, 0, body.length);
    }

    /**
     * The next frame's archive bytes, not decoded, or null at the end of the stream (between two frames).
     *
     * @throws SyncFormatException for a bad length field, an empty or oversize frame, or a truncated one
     */
    public byte[] nextBody() throws IOException {
        lastBody = new byte[0];
        int first = in.read();
        while (skipLineBreaks && (first == '\n' || first == '\r')) {
            first = in.read();
        }
        if (first < 0) {
            return null;
        }
        header[0] = (byte) first;
        int got = 1 + in.readNBytes(header, 1, 5);
        if (got < 6) {
            throw new SyncFormatException("truncated frame: the stream ended in the length field", false);
        }
        frames++;
        int len = parseLength(header, 0);
        if (len == 0) {
            throw SyncFormatException.badFrame("empty frame (length 0)");
        }
        if (len > maxFrameLength) {
            skip(len);
            throw SyncFormatException.badFrame("frame of " + len + " bytes is longer than the limit of "
                    + maxFrameLength + " (skipped)");
        }
        byte[] body = in.readNBytes(len);
        if (body.length < len) {
            throw new SyncFormatException("truncated frame: expected " + len + " bytes, the stream ended after "
                    + body.length, false);
        }
        lastBody = body;
        return body.clone();
    }

    private void skip(int len) throws IOException {
        byte[] scratch = new byte[4096];
        int left = len;
        while (left > 0) {
            int n = in.read(scratch, 0, Math.min(left, scratch.length));
            if (n < 0) {
                throw new SyncFormatException("truncated frame: expected " + len + " bytes, the stream ended after "
                        + (len - left), false);
            }
            left -= n;
        }
    }

    /** The archive bytes of the frame last returned (empty after an error): a copy. */
    public byte[] lastBody() {
        return lastBody.clone();
    }

    /** The number of frames begun so far (including bad ones). */
    public long frames() {
        return frames;
    }

    /**
     * The length in the 5 bytes at {@code b[off..off+5)}: digits, with white space allowed before and after them.
     *
     * @throws SyncFormatException (not recoverable) if they are anything else
     */
    public static int parseLength(byte[] b, int off) throws SyncFormatException {
        int i = off;
        int end = off + 5;
        while (i < end && isSpace(b[i])) {
            i++;
        }
        int start = i;
        int v = 0;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        boolean digits = i > start;
        while (i < end && isSpace(b[i])) {
            i++;
        }
        if (!digits || i != end) {
            StringBuilder shown = new StringBuilder();
            for (int k = off; k < end; k++) {
                int c = b[k] & 0xFF;
                shown.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
            }
            throw new SyncFormatException("bad length field '" + shown + "' (expected 5 decimal digits): not a sync"
                    + " stream, or out of step", false);
        }
        return v;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
