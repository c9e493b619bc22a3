package org.janytun.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing of the sync wire: {@link SyncFrameReader} (frames as anytun sends them, and with line
 * breaks between them as in a table file) and {@link SyncCodec}'s record decoding, seeded with the captured streams
 * of ../shared/satp/sync-samples. Invariants: only {@link IOException}s (a {@link SyncFormatException} for bad
 * input), never another exception; a reader never returns more frames than it has bytes; every record that decodes
 * encodes to a frame that decodes to a record encoding to the very same bytes (a fixed point after one round).
 */
class SyncFrameFuzzTest {
    private static final SyncCodec CODEC = new SyncCodec();

    @FuzzTest(maxDuration = "30s")
    void frames(byte[] wire) {
        for (boolean skipLineBreaks : new boolean[] {false, true}) {
            SyncFrameReader reader = new SyncFrameReader(new ByteArrayInputStream(wire),
                    SyncCodec.DEFAULT_MAX_FRAME_LENGTH, skipLineBreaks);
            try {
                SyncRecord r;
                while ((r = reader.next()) != null) {
                    reencodes(r);
                }
            } catch (IOException expected) {
                // malformed input: the connection is dropped with this reason
            }
            assertEquals(true, reader.frames() <= wire.length / 6 + 1, "frames read from " + wire.length + " bytes");
        }
    }

    private static void reencodes(SyncRecord r) throws SyncFormatException {
        if (r instanceof UnknownRecord) {
            return; // kept as opaque bytes, never sent on
        }
        byte[] once = CODEC.encodeFrame(r);
        SyncRecord back = SyncCodec.decodeFrame(once);
        byte[] twice = CODEC.encodeFrame(back);
        assertArrayEquals(once, twice, "a decoded record re-encodes to the same bytes: " + r);
        SyncFrameReader again = new SyncFrameReader(new ByteArrayInputStream(twice));
        try {
            again.next();
            assertNull(again.next(), "one frame, one record");
        } catch (IOException e) {
            throw new AssertionError("our own frame does not read back: " + e.getMessage(), e);
        }
    }
}
