package org.janytun.keyx;

import java.time.Instant;
import java.util.Arrays;

/**
 * The TAI64N timestamp of an initiation (12 bytes: 2^62 + 10 + Unix seconds, big-endian, then nanoseconds),
 * as in WireGuard. The nanoseconds are cut to multiples of 2^24 ns (≈ 17 ms) so the timestamp does not leak the
 * sender's clock finely. A responder accepts an initiation only if its timestamp is greater than the last one
 * accepted from that peer (replay protection across restarts of the initiator).
 */
public final class Tai64n {
    public static final int LENGTH = 12;
    private static final long BASE = (1L << 62) + 10;
    private static final int WHITEN = ~((1 << 24) - 1);

    private Tai64n() {}

    public static byte[] of(Instant t) {
        byte[] b = new byte[LENGTH];
        long s = BASE + t.getEpochSecond();
        int n = t.getNano() & WHITEN;
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (s >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            b[8 + i] = (byte) (n >>> (24 - 8 * i));
        }
        return b;
    }

    /** How far ahead of the local clock an initiation's timestamp may be (docs/SATP-SESSIONS.md §4.2). */
    public static final long MAX_AHEAD_SECONDS = 600;

    /**
     * Whether an initiation with timestamp {@code t} is acceptable from a peer whose greatest accepted timestamp is
     * {@code last} (null for none): later than {@code last} and at most {@link #MAX_AHEAD_SECONDS} ahead of
     * {@code now}. A timestamp pushed far ahead would otherwise lock the peer out until its clock caught up.
     */
    public static boolean acceptable(byte[] t, byte[] last, Instant now) {
        return t.length == LENGTH && (last == null || after(t, last))
                && !after(t, of(now.plusSeconds(MAX_AHEAD_SECONDS)));
    }

    /** Whether {@code a} is strictly later than {@code b} (both 12 bytes; unsigned big-endian order). */
    public static boolean after(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) > 0;
    }
}
