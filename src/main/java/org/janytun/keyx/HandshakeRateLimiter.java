package org.janytun.keyx;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Initiations per source address (docs/SATP-SESSIONS.md §4.1): a token bucket per source, {@value #PER_SECOND}
 * per second with a burst of {@value #BURST}, as WireGuard. It holds at most {@code maxSources} sources: when it
 * is full, sources whose bucket has refilled are forgotten first, and a new source is refused while none has,
 * so a flood from many addresses cannot grow it. Pure: the clock is passed in (nanoseconds). One thread.
 */
public final class HandshakeRateLimiter {
    public static final int PER_SECOND = 20;
    public static final int BURST = 5;
    private static final long NANOS_PER_TOKEN = 1_000_000_000L / PER_SECOND;
    private static final long FULL = BURST * NANOS_PER_TOKEN;

    private final int maxSources;
    /** Per source: the time at which its bucket is full again ("virtual time"); a token costs NANOS_PER_TOKEN. */
    private final Map<Source, Long> fullAt = new HashMap<>();

    private record Source(long high, long low) {}

    public HandshakeRateLimiter(int maxSources) {
        this.maxSources = maxSources;
    }

    /** Whether an initiation from {@code address} (4 or 16 bytes) may be processed now; takes a token if so. */
    public boolean allow(byte[] address, long now) {
        Source src = source(address);
        Long at = fullAt.get(src);
        if (at == null && fullAt.size() >= maxSources && !forgetRefilled(now)) {
            return false;
        }
        long full = at == null ? now : Math.max(at, now);
        long next = full + NANOS_PER_TOKEN;
        if (next - now > FULL) {
            return false;
        }
        fullAt.put(src, next);
        return true;
    }

    /** Sources tracked (for the counters). */
    public int size() {
        return fullAt.size();
    }

    private boolean forgetRefilled(long now) {
        boolean any = false;
        for (Iterator<Long> it = fullAt.values().iterator(); it.hasNext(); ) {
            if (it.next() <= now) {
                it.remove();
                any = true;
            }
        }
        return any;
    }

    private static Source source(byte[] a) {
        long high = 0;
        long low = 0;
        for (int i = 0; i < a.length; i++) {
            if (i < 8) {
                high = (high << 8) | (a[i] & 0xFF);
            } else {
                low = (low << 8) | (a[i] & 0xFF);
            }
        }
        return new Source(high ^ ((long) a.length << 56), low);
    }
}
