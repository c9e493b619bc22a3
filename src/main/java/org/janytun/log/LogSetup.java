package org.janytun.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.status.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up Logback from the {@code -L} targets, in code. Until {@link #configure} runs, {@link OffConfigurator}
 * keeps every logger off, so nothing is printed before the targets are known.
 *
 * <p>Each target gets its own appender with its own threshold; the root logger is set to the most verbose
 * threshold, so that disabled levels cost one comparison. See {@link LogLevel} for which SLF4J call gives which
 * anytun level ({@code log.info} is NOTICE, {@code log.debug} is INFO, {@code log.trace} is DEBUG).
 */
public final class LogSetup {
    private LogSetup() {}

    /** Thrown when a target cannot be set up, e.g. a log file that cannot be opened. */
    public static final class LogSetupException extends Exception {
        public LogSetupException(String message) {
            super(message);
        }
    }

    /**
     * Replaces the whole logging configuration with the given targets (an empty list logs nothing). May be called
     * again, e.g. to reopen log files.
     *
     * @throws LogSetupException naming the target that failed; the targets before it are left running
     */
    public static synchronized void configure(List<LogTarget> targets) throws LogSetupException {
        LoggerContext ctx = context();
        ctx.reset();
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.OFF);
        Level mostVerbose = Level.OFF;
        int n = 0;
        for (LogTarget target : targets) {
            if (target.level() == LogLevel.OFF) {
                continue;
            }
            if (target instanceof LogTarget.File f) {
                requireDirectory(f);
            }
            Appender<ILoggingEvent> appender = appender(ctx, target, "target" + n++);
            ThresholdFilter threshold = new ThresholdFilter();
            threshold.setContext(ctx);
            threshold.setLevel(target.level().logback().levelStr);
            threshold.start();
            appender.addFilter(threshold);
            appender.start();
            if (!appender.isStarted()) {
                throw new LogSetupException("cannot log to " + target.spec() + ": " + lastError(ctx));
            }
            root.addAppender(appender);
            if (target.level().logback().toInt() < mostVerbose.toInt()) {
                mostVerbose = target.level().logback();
            }
            root.setLevel(mostVerbose);
        }
    }

    /**
     * A log file's directory must exist: Logback would create it (as root, anywhere a typo points), while an
     * unopenable log file is to stop start-up.
     */
    private static void requireDirectory(LogTarget.File f) throws LogSetupException {
        java.nio.file.Path parent = java.nio.file.Path.of(f.path()).toAbsolutePath().getParent();
        if (parent != null && !java.nio.file.Files.isDirectory(parent)) {
            throw new LogSetupException("cannot log to " + f.spec() + ": no such directory " + parent);
        }
    }

    /**
     * The targets with every syslog target replaced by stderr at the same level when {@code devLog} (the local
     * syslog socket, normally /dev/log) does not exist: syslog(3) would drop every line silently. {@code warn}
     * gets one line per replaced target, to be shown where the operator started the daemon.
     */
    public static List<LogTarget> reachable(List<LogTarget> targets, java.nio.file.Path devLog,
                                            java.util.function.Consumer<String> warn) {
        if (java.nio.file.Files.exists(devLog)) {
            return targets;
        }
        boolean toStderr = targets.stream().anyMatch(t -> t instanceof LogTarget.Stderr);
        List<LogTarget> out = new java.util.ArrayList<>();
        for (LogTarget t : targets) {
            if (t instanceof LogTarget.Syslog sl) {
                warn.accept("-L " + sl.spec() + ": " + devLog + " does not exist (no syslog daemon here), so"
                        + (toStderr ? " that target is left out" : " logging goes to stderr instead")
                        + " (the journal under systemd; a detached janytun's stderr is discarded: give -L"
                        + " file:<level>,<path>)");
                if (!toStderr) {
                    out.add(new LogTarget.Stderr(sl.level()));
                    toStderr = true;
                }
            } else {
                out.add(t);
            }
        }
        return out;
    }

    /** Flushes and closes every target; logging is off afterwards. */
    public static synchronized void shutdown() {
        LoggerContext ctx = context();
        ctx.reset();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
    }

    private static Appender<ILoggingEvent> appender(LoggerContext ctx, LogTarget target, String name) {
        boolean debug = target.level() == LogLevel.DEBUG;
        Appender<ILoggingEvent> a = switch (target) {
            case LogTarget.Syslog s -> {
                NativeSyslogAppender sys = new NativeSyslogAppender();
                sys.setIdent(s.ident());
                sys.setFacility(s.facility());
                yield sys;
            }
            case LogTarget.File f -> {
                FileAppender<ILoggingEvent> file = new FileAppender<>();
                file.setFile(f.path());
                file.setAppend(true);
                file.setEncoder(encoder(ctx, new AnytunLayout(false, debug)));
                yield file;
            }
            case LogTarget.Stdout o -> console(ctx, "System.out", JournalStream.isJournal(1), debug);
            case LogTarget.Stderr e -> console(ctx, "System.err", JournalStream.isJournal(2), debug);
        };
        a.setContext(ctx);
        a.setName(name);
        return a;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext ctx, String stream, boolean journal,
            boolean debug) {
        ConsoleAppender<ILoggingEvent> c = new ConsoleAppender<>();
        c.setTarget(stream);
        c.setEncoder(encoder(ctx, new AnytunLayout(journal, debug)));
        return c;
    }

    private static LayoutWrappingEncoder<ILoggingEvent> encoder(LoggerContext ctx, AnytunLayout layout) {
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> enc = new LayoutWrappingEncoder<>();
        enc.setContext(ctx);
        enc.setCharset(StandardCharsets.UTF_8);
        enc.setLayout(layout);
        enc.start();
        return enc;
    }

    private static String lastError(LoggerContext ctx) {
        List<Status> statuses = ctx.getStatusManager().getCopyOfStatusList();
        for (int i = statuses.size() - 1; i >= 0; i--) {
            Status s = statuses.get(i);
            if (s.getLevel() == Status.ERROR) {
                Throwable t = s.getThrowable();
                return t != null && t.getMessage() != null ? t.getMessage() : s.getMessage();
            }
        }
        return "unknown error";
    }

    private static LoggerContext context() {
        ILoggerFactory f = LoggerFactory.getILoggerFactory();
        if (f instanceof LoggerContext ctx) {
            return ctx;
        }
        throw new IllegalStateException("SLF4J is not bound to Logback but to " + f.getClass().getName());
    }
}
