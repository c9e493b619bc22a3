package org.janytun.ctl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the control socket's request parser ({@link CtlRequest#parse}), seeded with a show
 * and a set-key request and two bad ones. Invariants: bad input is only ever a {@link CtlException} with a known
 * errno; a parsed request re-encodes to exactly the bytes it came from.
 */
class CtlRequestFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] input) throws CtlException {
        byte[] buf = Arrays.copyOf(input, Math.min(input.length, CtlRequest.MAX_BYTES + 16));
        CtlRequest r;
        try {
            r = CtlRequest.parse(buf, buf.length);
        } catch (CtlException e) {
            assertTrue(e.errno() == CtlException.EINVAL || e.errno() == CtlException.E2BIG, e.getMessage());
            return;
        }
        assertArrayEquals(buf, r.encode(), "re-encodes to the same bytes");
        assertEquals(r, CtlRequest.parse(r.encode(), r.encode().length));
    }
}
