package org.janytun.syncio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncFrameReader;

/**
 * Coverage-guided fuzzing of the protected sync stream after the handshake ({@link SealedStreams}, AES-256-GCM
 * records carrying sync frames), with a fixed key; the seeds are genuine sealed streams of the sync samples'
 * frames ({@link #seal}). Invariants: only {@link IOException}s; whatever is read is a prefix of what a genuine
 * stream carries (a forged or altered record never yields a byte), and the frames read decode or fail cleanly.
 */
class SealedStreamsFuzzTest {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** What the genuine seeds carry, in order: any stream must read as a prefix of one of them. */
    static final byte[] PLAIN = "00005 hello, sync frames in a sealed stream".getBytes(StandardCharsets.US_ASCII);

    @FuzzTest(maxDuration = "30s")
    void input(byte[] wire) {
        InputStream in = SealedStreams.input(new ByteArrayInputStream(wire), KEY);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[512];
        try {
            int n;
            while ((n = in.read(buf, 0, buf.length)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (IOException expected) {
            // a bad record ends the connection
        }
        byte[] read = got.toByteArray();
        assertTrue(read.length <= PLAIN.length, "more than a genuine stream carries: " + read.length);
        assertArrayEquals(Arrays.copyOf(PLAIN, read.length), read, "only authentic bytes come out");
        try {
            new SyncFrameReader(new ByteArrayInputStream(read), SyncCodec.DEFAULT_MAX_FRAME_LENGTH, false).next();
        } catch (IOException expected) {
            // not a whole frame
        }
    }

    /** A genuine stream: {@link #PLAIN} in records of {@code chunk} bytes (how the seeds were made). */
    static byte[] seal(int chunk) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        OutputStream out = SealedStreams.output(wire, KEY);
        for (int i = 0; i < PLAIN.length; i += chunk) {
            out.write(PLAIN, i, Math.min(chunk, PLAIN.length - i));
            out.flush();
        }
        return wire.toByteArray();
    }

    /** Writes the seed corpus into the directory given: the whole genuine stream, and its first two records. */
    public static void main(String[] args) throws IOException {
        java.nio.file.Path dir = java.nio.file.Path.of(args[0]);
        byte[] whole = seal(7);
        java.nio.file.Files.write(dir.resolve("genuine"), whole);
        int record = 4 + 7 + SealedStreams.TAG_BYTES;
        java.nio.file.Files.write(dir.resolve("genuine-two-records"), Arrays.copyOf(whole, 2 * record));
    }
}
