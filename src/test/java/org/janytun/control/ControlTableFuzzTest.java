package org.janytun.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncFrameReader;
import org.janytun.sync.SyncRecord;

/**
 * Coverage-guided fuzzing of the control table reader ({@link ControlTable#parse}, what janytun-controld reads from
 * its file and serves), seeded with the tables of ../shared/satp/sync-samples. Invariants: only a
 * {@link ControlTable.TableException} for bad input; the wire a parsed table serves is read back by the client's
 * frame reader as the same records, and those re-encode to the same bytes.
 */
class ControlTableFuzzTest {
    private static final SyncCodec CODEC = new SyncCodec();

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] file) throws IOException {
        ControlTable t;
        try {
            t = ControlTable.parse(file, "fuzz");
        } catch (ControlTable.TableException expected) {
            return;
        }
        SyncFrameReader client = new SyncFrameReader(new ByteArrayInputStream(t.wire()));
        List<SyncRecord> read = new ArrayList<>();
        for (SyncRecord r; (r = client.next()) != null; ) {
            read.add(r);
            byte[] once = CODEC.encodeFrame(r);
            assertArrayEquals(once, CODEC.encodeFrame(SyncCodec.decodeFrame(once)), "re-encodes: " + r);
        }
        assertEquals(t.size(), read.size(), "every frame of the table reaches the client");
    }
}
