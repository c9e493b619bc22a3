package org.janytun.log;

import ch.qos.logback.classic.Level;

/**
 * The six log levels of anytun(8) ({@code -L target:N}) and how they map onto SLF4J/Logback.
 *
 * <p>Notice is anytun's default level, so it takes SLF4J's {@code info}; everything below it moves down one step:
 *
 * <pre>
 *  -L level  anytun name  SLF4J call     Logback level  syslog(3) priority
 *     0      (off)        -              OFF            -
 *     1      ERROR        log.error(..)  ERROR          LOG_ERR     (3)
 *     2      WARNING      log.warn(..)   WARN           LOG_WARNING (4)
 *     3      NOTICE       log.info(..)   INFO           LOG_NOTICE  (5)
 *     4      INFO         log.debug(..)  DEBUG          LOG_INFO    (6)
 *     5      DEBUG        log.trace(..)  TRACE          LOG_DEBUG   (7)
 * </pre>
 *
 * A target with level N shows every line of level N and below (more severe), as in anytun.
 */
public enum LogLevel {
    OFF(0, "OFF", Level.OFF, -1),
    ERROR(1, "ERROR", Level.ERROR, 3),
    WARNING(2, "WARNING", Level.WARN, 4),
    NOTICE(3, "NOTICE", Level.INFO, 5),
    INFO(4, "INFO", Level.DEBUG, 6),
    DEBUG(5, "DEBUG", Level.TRACE, 7);

    private static final LogLevel[] BY_NUMBER = values();

    private final int number;
    private final String label;
    private final Level logback;
    private final int syslogPriority;

    LogLevel(int number, String label, Level logback, int syslogPriority) {
        this.number = number;
        this.label = label;
        this.logback = logback;
        this.syslogPriority = syslogPriority;
    }

    /** The number used on the command line, 0..5. */
    public int number() {
        return number;
    }

    /** The name printed in log lines: ERROR, WARNING, NOTICE, INFO or DEBUG. */
    public String label() {
        return label;
    }

    /** The Logback level that a line of this level is logged at, or the threshold of a target of this level. */
    public Level logback() {
        return logback;
    }

    /** The syslog(3) priority (LOG_ERR..LOG_DEBUG) without facility bits; -1 for OFF. */
    public int syslogPriority() {
        return syslogPriority;
    }

    /** The level for a command-line number 0..5. */
    public static LogLevel ofNumber(int n) {
        if (n < 0 || n >= BY_NUMBER.length) {
            throw new IllegalArgumentException("log level must be 0..5: " + n);
        }
        return BY_NUMBER[n];
    }

    /** The anytun level of a Logback event level (TRACE is DEBUG, DEBUG is INFO, INFO is NOTICE). */
    public static LogLevel ofLogback(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> ERROR;
            case Level.WARN_INT -> WARNING;
            case Level.INFO_INT -> NOTICE;
            case Level.DEBUG_INT -> INFO;
            case Level.TRACE_INT, Level.ALL_INT -> DEBUG;
            default -> OFF;
        };
    }
}
