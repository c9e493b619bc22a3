package org.janytun.warmup;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Lets the warm-up's twin give way to the tunnel's own packets. While the twin floods, its seals and opens leave the
 * JCE's per-packet key schedule as garbage (a young collection every few tens of milliseconds, each stopping the
 * tunnel's threads too), and its threads and the compilations it triggers take the CPUs; a ping through the tunnel
 * at that moment meets those pauses (measured: p99 of 3-4 ms, 8x uanytun's, for pings starting 1 s after the
 * tunnel is up). So before each round the twin looks at the tunnel's packet count and, when it moved, waits until
 * it has stood still for {@value JitWarmup#YIELD_QUIET_MILLIS} ms. Real traffic meanwhile runs the same code (and
 * gets it compiled); the twin then finishes what that traffic did not reach.
 */
final class TrafficYield {
    /** Never pauses (the twin of the AOT training and of the tests has no tunnel beside it). */
    static final TrafficYield NEVER = new TrafficYield(null);
    /** After pausing this long in all, the twin stops: a tunnel that busy compiles its data path by itself. */
    static final long GIVE_UP_NANOS = JitWarmup.QUIET_GIVE_UP_MILLIS * 1_000_000L;

    private final LongSupplier tunnelPackets;
    private long seen;
    private long pausedNanos;
    private int pauses;

    TrafficYield(LongSupplier tunnelPackets) {
        this.tunnelPackets = tunnelPackets;
        this.seen = tunnelPackets == null ? 0 : tunnelPackets.getAsLong();
    }

    /**
     * Returns at once when the tunnel carried no packet since the last look; else waits until it has carried none
     * for {@value JitWarmup#YIELD_QUIET_MILLIS} ms and returns how long it waited (ns), or -1 when the daemon stops
     * or the pauses add up to {@link #GIVE_UP_NANOS}.
     */
    long await(BooleanSupplier keepGoing) {
        if (tunnelPackets == null) {
            return 0;
        }
        long now = tunnelPackets.getAsLong();
        if (now == seen) {
            return 0;
        }
        pauses++;
        long t0 = System.nanoTime();
        do {
            seen = now;
            if (!keepGoing.getAsBoolean() || pausedNanos + System.nanoTime() - t0 >= GIVE_UP_NANOS) {
                return -1;
            }
            try {
                Thread.sleep(JitWarmup.YIELD_QUIET_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
            now = tunnelPackets.getAsLong();
        } while (now != seen);
        long waited = System.nanoTime() - t0;
        pausedNanos += waited;
        return waited;
    }

    /** How many times the twin gave way. */
    int pauses() {
        return pauses;
    }

    /** How long it gave way in all, ns. */
    long pausedNanos() {
        return pausedNanos;
    }
}
