package org.janytun.session;

/**
 * The sequence window of one sender id (SPEC §10), deciding exactly as anytun and uanytun do, including their
 * handling of the wrap at 2^32: numbers are compared after shifting both by 2^31-1 when the window straddles 0.
 *
 * <p>The seen-bits form a ring indexed by an unwrapped 64-bit position, so any window size works and advancing
 * by one costs one bit, not a shift of the whole window.
 */
final class ReplayWindow {
    private static final long MASK32 = 0xFFFF_FFFFL;
    private static final long H = 0x7FFF_FFFFL;

    private final long size;
    private final long[] seen;
    /** The newest accepted sequence number (unsigned 32 bits) and its unwrapped position. */
    private long max;
    private long maxPos;
    private boolean advanced;

    ReplayWindow(long size, int firstSeq) {
        this.size = size;
        this.seen = new long[(int) ((size + 63) >>> 6)];
        this.max = firstSeq & MASK32;
        this.maxPos = this.max;
        mark(maxPos);
    }

    /** Accepts and records {@code seq}, or returns false for a replay or a number too old for the window. */
    boolean accept(int seq) {
        advanced = false;
        long s = seq & MASK32;
        long m = max;
        if (m < size) {
            s = (s + H) & MASK32;
            m = (m + H) & MASK32;
        } else if (m > MASK32 - size) {
            s = (s - H) & MASK32;
            m = (m - H) & MASK32;
        }
        long min = (m - size + 1) & MASK32;
        if (s < min || s == m) {
            return false;
        }
        if (s > m) {
            long advance = s - m;
            clearAfter(maxPos, Math.min(advance, size));
            maxPos += advance;
            max = seq & MASK32;
            mark(maxPos);
            advanced = true;
            return true;
        }
        long pos = maxPos - (m - s);
        if (isMarked(pos)) {
            return false;
        }
        mark(pos);
        return true;
    }

    /** Whether the last accepted number was the newest so far (it moved the window forward). */
    boolean advanced() {
        return advanced;
    }

    private void clearAfter(long from, long count) {
        if (count >= size) {
            java.util.Arrays.fill(seen, 0L);
            return;
        }
        for (long p = from + 1; p <= from + count; p++) {
            long slot = Math.floorMod(p, size);
            seen[(int) (slot >>> 6)] &= ~(1L << slot);
        }
    }

    private void mark(long pos) {
        long slot = Math.floorMod(pos, size);
        seen[(int) (slot >>> 6)] |= 1L << slot;
    }

    private boolean isMarked(long pos) {
        long slot = Math.floorMod(pos, size);
        return (seen[(int) (slot >>> 6)] & (1L << slot)) != 0;
    }
}
