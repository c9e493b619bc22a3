package org.janytun.log;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Counts per-packet problems (bad tags, replays, wrong mux, ...) on the packet path and turns them into at most one
 * summary line per reason per interval, such as {@code dropped 1234 packets: bad authentication tag (last 10 s)}.
 * anytun logs one line per bad packet, which lets anyone on the path flood the log; this does not.
 *
 * <p>{@link #count} is for the packet threads: no allocation, no lock, one {@link LongAdder} increment.
 * {@link #tick()} is for a housekeeping thread, called every second or so; it logs only when the interval has
 * passed since its last report. Totals since start are kept for metrics ({@link #total}).
 *
 * @param <E> the enum of drop reasons (e.g. the session's drop reasons)
 */
public final class PacketDropLog<E extends Enum<E>> {
    private final Logger log;
    private final Level level;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final E[] reasons;
    private final String[] descriptions;
    private final LongAdder[] counts;
    /** Totals at the last report, per reason; only touched by the reporting thread (under this lock). */
    private final long[] reported;
    private long lastReportNanos;

    /**
     * A log that reports at {@code level} every {@code interval}, describing each reason by its lower-case name
     * with spaces (e.g. {@code BAD_TAG} is "bad tag").
     */
    public PacketDropLog(Class<E> reasonType, Logger log, Level level, Duration interval) {
        this(reasonType, log, level, interval, PacketDropLog::describe, System::nanoTime);
    }

    /**
     * @param describe  the text after "dropped N packets: " for each reason
     * @param nanoClock the time source, {@link System#nanoTime()} outside tests
     */
    public PacketDropLog(Class<E> reasonType, Logger log, Level level, Duration interval,
            Function<? super E, String> describe, LongSupplier nanoClock) {
        this.log = Objects.requireNonNull(log);
        this.level = Objects.requireNonNull(level);
        this.intervalNanos = interval.toNanos();
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        this.nanoClock = nanoClock;
        this.reasons = reasonType.getEnumConstants();
        this.descriptions = new String[reasons.length];
        this.counts = new LongAdder[reasons.length];
        for (int i = 0; i < reasons.length; i++) {
            descriptions[i] = Objects.requireNonNull(describe.apply(reasons[i]));
            counts[i] = new LongAdder();
        }
        this.reported = new long[reasons.length];
        this.lastReportNanos = nanoClock.getAsLong();
    }

    /** Counts one dropped packet. Cheap and allocation-free: call it on the packet path. */
    public void count(E reason) {
        counts[reason.ordinal()].increment();
    }

    /** Counts {@code packets} dropped packets at once (e.g. for a batch). */
    public void count(E reason, long packets) {
        counts[reason.ordinal()].add(packets);
    }

    /** Packets dropped for this reason since start. */
    public long total(E reason) {
        return counts[reason.ordinal()].sum();
    }

    /** Reports if the interval has passed since the last report; call it periodically. */
    public synchronized void tick() {
        long now = nanoClock.getAsLong();
        if (now - lastReportNanos >= intervalNanos) {
            report(now);
        }
    }

    /** Reports now, whatever the interval (e.g. at shutdown). */
    public synchronized void flush() {
        report(nanoClock.getAsLong());
    }

    private void report(long now) {
        long elapsed = now - lastReportNanos;
        lastReportNanos = now;
        boolean enabled = log.isEnabledForLevel(level);
        for (int i = 0; i < reasons.length; i++) {
            long total = counts[i].sum();
            long delta = total - reported[i];
            reported[i] = total;
            if (delta > 0 && enabled) {
                log.atLevel(level).log("dropped {} packet{}: {} (last {})", delta, delta == 1 ? "" : "s",
                        descriptions[i], seconds(elapsed));
            }
        }
    }

    private static String seconds(long nanos) {
        long s = Math.round(nanos / 1e9);
        return s < 1 ? "<1 s" : s + " s";
    }

    private static String describe(Enum<?> reason) {
        return reason.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
