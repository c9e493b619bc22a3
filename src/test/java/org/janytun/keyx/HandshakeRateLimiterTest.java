package org.janytun.keyx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Per-source rate limits of initiations and the timestamp rule (docs/SATP-SESSIONS.md §4.1, §4.2). */
class HandshakeRateLimiterTest {
    private static final long MS = 1_000_000L;

    @Test
    void aSourceGetsABurstOfFiveThenTwentyPerSecond() {
        HandshakeRateLimiter l = new HandshakeRateLimiter(100);
        byte[] a = {10, 0, 0, 1};
        long t = 5_000 * MS;
        int allowed = 0;
        for (int i = 0; i < 50; i++) {
            allowed += l.allow(a, t) ? 1 : 0;
        }
        assertEquals(5, allowed, "the burst");
        assertTrue(l.allow(new byte[] {10, 0, 0, 2}, t), "another source is not affected");
        assertFalse(l.allow(a, t + 10 * MS));
        assertTrue(l.allow(a, t + 50 * MS), "one token per 50 ms");
        // over one second of steady flooding: about 20
        allowed = 0;
        for (long ms = 100; ms < 1100; ms++) {
            allowed += l.allow(a, t + ms * MS) ? 1 : 0;
        }
        assertTrue(allowed >= 19 && allowed <= 21, allowed + " per second");
    }

    @Test
    void manySourcesCannotGrowItBeyondItsCap() {
        HandshakeRateLimiter l = new HandshakeRateLimiter(1000);
        long t = 0;
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] a = {(byte) 10, (byte) (i >> 16), (byte) (i >> 8), (byte) i};
            refused += l.allow(a, t) ? 0 : 1;
        }
        assertEquals(1000, l.size());
        assertEquals(99_000, refused);
        // once their buckets have refilled, room is made for new sources
        assertTrue(l.allow(new byte[16], t + 1_000 * MS));
        assertTrue(l.size() <= 1000);
    }

    @Test
    void timestampsMustIncreaseAndNotRunFarAhead() {
        Instant now = Instant.parse("2026-12-07T08:00:00Z");
        byte[] last = Tai64n.of(now.minusSeconds(5));
        assertTrue(Tai64n.acceptable(Tai64n.of(now), last, now));
        assertTrue(Tai64n.acceptable(Tai64n.of(now), null, now));
        assertFalse(Tai64n.acceptable(last, last, now), "replayed");
        assertFalse(Tai64n.acceptable(Tai64n.of(now.minusSeconds(60)), last, now), "older");
        assertTrue(Tai64n.acceptable(Tai64n.of(now.plusSeconds(599)), last, now));
        assertFalse(Tai64n.acceptable(Tai64n.of(now.plusSeconds(3600)), last, now), "an hour ahead");
    }
}
