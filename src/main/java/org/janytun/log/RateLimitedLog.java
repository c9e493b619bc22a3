package org.janytun.log;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval for an event that an outsider can trigger at will (a refused connection, an
 * endpoint change pushed to peers): the rest are counted, and the next line that is let through says how many were
 * held back, e.g. {@code sync client 10.0.0.9:4711 refused: ... (and 1999 more like it since the last such line)}.
 * Thread-safe; one instance per kind of line.
 */
public final class RateLimitedLog {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long lastLine;
    private boolean logged;
    private long heldBack;

    public RateLimitedLog(Duration interval) {
        this(interval, System::nanoTime);
    }

    RateLimitedLog(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * Whether a line may be logged now: null if not (it is counted), else the text that goes at the end of the line:
     * empty, or how many lines were held back since the last one.
     */
    public synchronized String permit() {
        long now = nanoClock.getAsLong();
        if (logged && now - lastLine < intervalNanos) {
            heldBack++;
            return null;
        }
        logged = true;
        lastLine = now;
        long n = heldBack;
        heldBack = 0;
        return n == 0 ? "" : " (and " + n + " more like it since the last such line)";
    }

    /** Lines held back since the last permitted one. */
    public synchronized long heldBack() {
        return heldBack;
    }
}
