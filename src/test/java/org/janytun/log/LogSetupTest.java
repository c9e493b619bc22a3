package org.janytun.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogSetupTest {
    static final String LINE = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} ";
    final Logger log = LoggerFactory.getLogger(LogSetupTest.class);

    @AfterEach
    void off() {
        LogSetup.shutdown();
    }

    private static List<String> captureStdout(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        String s = buf.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }

    @Test
    void nothingIsLoggedBeforeConfiguration() {
        LogSetup.shutdown();
        assertFalse(log.isErrorEnabled());
    }

    @Test
    void stdoutLinesHaveTimestampAndAnytunLevelNames() throws Exception {
        LogSetup.configure(List.of(new LogTarget.Stdout(LogLevel.NOTICE)));
        List<String> lines = captureStdout(() -> {
            log.error("e {}", 1);
            log.warn("w");
            log.info("n");
            log.debug("i (hidden at level 3)");
            log.trace("d (hidden at level 3)");
        });
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches(LINE + "ERROR: e 1"), lines.get(0));
        assertTrue(lines.get(1).matches(LINE + "WARNING: w"), lines.get(1));
        assertTrue(lines.get(2).matches(LINE + "NOTICE: n"), lines.get(2));
    }

    @Test
    void debugLevelShowsEverything() throws Exception {
        LogSetup.configure(List.of(new LogTarget.Stdout(LogLevel.DEBUG)));
        List<String> lines = captureStdout(() -> {
            log.debug("i");
            log.trace("d");
            log.warn("with exception", new IllegalStateException("boom"));
        });
        assertTrue(lines.get(0).matches(LINE + "INFO: i"), lines.get(0));
        assertTrue(lines.get(1).matches(LINE + "DEBUG: d"), lines.get(1));
        assertTrue(lines.get(2).matches(LINE + "WARNING: with exception \\(java.lang.IllegalStateException: boom\\)"),
                lines.get(2));
        assertTrue(lines.get(3).contains("IllegalStateException"), "stack trace at debug level");
    }

    @Test
    void eachTargetHasItsOwnThreshold(@TempDir Path dir) throws Exception {
        Path quiet = dir.resolve("quiet.log");
        Path verbose = Files.createDirectory(dir.resolve("sub")).resolve("verbose.log");
        LogSetup.configure(List.of(new LogTarget.File(LogLevel.ERROR, quiet.toString()),
                new LogTarget.File(LogLevel.INFO, verbose.toString()), new LogTarget.Stdout(LogLevel.OFF)));
        List<String> out = captureStdout(() -> {
            log.error("bad");
            log.info("note");
            log.debug("info");
            log.trace("debug");
        });
        LogSetup.shutdown();
        assertEquals(List.of(), out);
        List<String> q = Files.readAllLines(quiet);
        List<String> v = Files.readAllLines(verbose);
        assertEquals(1, q.size(), q.toString());
        assertTrue(q.get(0).matches(LINE + "ERROR: bad"));
        assertEquals(3, v.size(), v.toString());
        assertTrue(v.get(2).matches(LINE + "INFO: info"));
        // files are appended to
        LogSetup.configure(List.of(new LogTarget.File(LogLevel.ERROR, quiet.toString())));
        log.error("again");
        LogSetup.shutdown();
        assertEquals(2, Files.readAllLines(quiet).size());
    }

    @Test
    void rootLevelFollowsTheMostVerboseTarget() throws Exception {
        LogSetup.configure(List.of(new LogTarget.Stdout(LogLevel.WARNING), new LogTarget.Stderr(LogLevel.INFO)));
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertEquals(Level.DEBUG, ctx.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
        assertTrue(log.isDebugEnabled());
        assertFalse(log.isTraceEnabled());
        LogSetup.configure(List.of());
        assertFalse(log.isErrorEnabled());
    }

    @Test
    void unopenableFileIsReported(@TempDir Path dir) {
        LogSetup.LogSetupException e = assertThrows(LogSetup.LogSetupException.class,
                () -> LogSetup.configure(List.of(new LogTarget.File(LogLevel.NOTICE, dir.toString()))));
        assertTrue(e.getMessage().startsWith("cannot log to file:3," + dir), e.getMessage());
    }

    /** Defect 6: a log file in a directory that does not exist is refused, and the directory is not made. */
    @Test
    void fileInAMissingDirectoryIsRefusedNotCreated(@TempDir Path dir) {
        Path file = dir.resolve("missing/dir/x.log");
        LogSetup.LogSetupException e = assertThrows(LogSetup.LogSetupException.class,
                () -> LogSetup.configure(List.of(new LogTarget.File(LogLevel.INFO, file.toString()))));
        assertTrue(e.getMessage().contains("no such directory " + file.getParent()), e.getMessage());
        assertFalse(Files.exists(dir.resolve("missing")));
    }

    @Test
    void journalLayoutUsesPriorityPrefixes() {
        AnytunLayout layout = new AnytunLayout(true, false);
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger l = ctx.getLogger("x");
        assertEquals("<5>NOTICE: hi\n", layout.doLayout(new LoggingEvent("x", l, Level.INFO, "hi", null, null)));
        assertEquals("<3>ERROR: e\n", layout.doLayout(new LoggingEvent("x", l, Level.ERROR, "e", null, null)));
        assertEquals("<7>DEBUG: d\n", layout.doLayout(new LoggingEvent("x", l, Level.TRACE, "d", null, null)));
    }

    @Test
    void journalStreamDetection() {
        assertTrue(JournalStream.matches("8:12345", "socket:[12345]"));
        assertFalse(JournalStream.matches("8:12345", "socket:[123456]"));
        assertFalse(JournalStream.matches("8:12345", "/dev/pts/0"));
        assertFalse(JournalStream.matches(null, "socket:[12345]"));
        assertFalse(JournalStream.matches("garbage", "socket:[12345]"));
        assertFalse(JournalStream.matches("8:", "socket:[]"));
    }

    @Test
    void aSyslogTargetWithoutDevLogFallsBackToStderrAndSaysSo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.util.List<String> warnings = new java.util.ArrayList<>();
        java.util.List<LogTarget> in = java.util.List.of(LogTarget.defaultTarget("janytun"),
                new LogTarget.File(LogLevel.INFO, "x.log"));
        java.util.List<LogTarget> out = LogSetup.reachable(in, dir.resolve("log"), warnings::add);
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(new LogTarget.Stderr(LogLevel.NOTICE),
                new LogTarget.File(LogLevel.INFO, "x.log")), out);
        org.junit.jupiter.api.Assertions.assertEquals(1, warnings.size());
        org.junit.jupiter.api.Assertions.assertTrue(warnings.getFirst().startsWith(
                "-L syslog:3,janytun,daemon: " + dir.resolve("log") + " does not exist"), warnings.getFirst());
        java.nio.file.Files.createFile(dir.resolve("log"));
        org.junit.jupiter.api.Assertions.assertSame(in, LogSetup.reachable(in, dir.resolve("log"), warnings::add),
                "with a syslog socket nothing changes");
    }
}
