package org.janytun.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The line format of the stdout, stderr and file targets: {@code 2026-11-22 15:37:59 NOTICE: message}, in local
 * time, with the anytun level name (see {@link LogLevel}). An exception adds {@code (class: message)} to the line;
 * the stack trace follows on its own lines only when the target logs at debug level.
 *
 * <p>When the stream is connected to the systemd journal, each line starts with the sd-daemon priority prefix
 * ({@code <5>} for notice) and leaves out the timestamp, which the journal records itself.
 */
public final class AnytunLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private record Second(long epochSecond, String text) {}

    private final boolean journal;
    private final boolean stackTraces;
    private final ZoneId zone = ZoneId.systemDefault();
    private volatile Second cached = new Second(Long.MIN_VALUE, "");

    /**
     * @param journal     write sd-daemon {@code <N>} prefixes instead of timestamps
     * @param stackTraces write stack traces of logged exceptions
     */
    public AnytunLayout(boolean journal, boolean stackTraces) {
        this.journal = journal;
        this.stackTraces = stackTraces;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        LogLevel level = LogLevel.ofLogback(event.getLevel());
        StringBuilder sb = new StringBuilder(64 + length(event.getFormattedMessage()));
        if (journal) {
            sb.append('<').append(level.syslogPriority()).append('>');
        } else {
            sb.append(timestamp(event.getTimeStamp())).append(' ');
        }
        sb.append(level.label()).append(": ").append(event.getFormattedMessage());
        IThrowableProxy tp = event.getThrowableProxy();
        if (tp != null) {
            sb.append(" (").append(summary(tp)).append(')');
            if (stackTraces) {
                sb.append('\n').append(ThrowableProxyUtil.asString(tp).stripTrailing());
            }
        }
        return sb.append('\n').toString();
    }

    /** {@code class: message} of an exception, for one-line output. */
    static String summary(IThrowableProxy tp) {
        return tp.getMessage() == null ? tp.getClassName() : tp.getClassName() + ": " + tp.getMessage();
    }

    private String timestamp(long millis) {
        long second = Math.floorDiv(millis, 1000);
        Second c = cached;
        if (c.epochSecond() != second) {
            c = new Second(second, TIME.format(Instant.ofEpochSecond(second).atZone(zone)));
            cached = c;
        }
        return c.text();
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }
}
