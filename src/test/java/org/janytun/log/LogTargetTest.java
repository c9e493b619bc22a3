package org.janytun.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LogTargetTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "syslog:3                       | syslog:3,prog,daemon",
        "syslog:0,vpn                   | syslog:0,vpn,daemon",
        "syslog:5,anytun-server,local3  | syslog:5,anytun-server,local3",
        "syslog:2,x,AUTHPRIV            | syslog:2,x,authpriv",
        "file:4                         | file:4,prog.log",
        "file:1,/var/log/janytun.log    | file:1,/var/log/janytun.log",
        "stdout:5                       | stdout:5",
        "stderr:0                       | stderr:0",
        "STDOUT:3                       | stdout:3"})
    void goodSpecs(String spec, String canonical) {
        assertEquals(canonical, LogTarget.parse(spec, "prog").spec());
    }

    @Test
    void typedValues() {
        assertEquals(new LogTarget.Syslog(LogLevel.NOTICE, "anytun", SyslogFacility.DAEMON),
                LogTarget.parse("syslog:3,anytun,daemon", "x"));
        assertEquals(new LogTarget.File(LogLevel.DEBUG, "a.log"), LogTarget.parse("file:5,a.log", "x"));
        assertEquals(new LogTarget.Stdout(LogLevel.OFF), LogTarget.parse("stdout:0", "x"));
        assertEquals(new LogTarget.Stderr(LogLevel.WARNING), LogTarget.parse("stderr:2", "x"));
        assertEquals("syslog:3,janytun,daemon", LogTarget.defaultTarget("janytun").spec());
    }

    @ParameterizedTest
    @ValueSource(strings = {"syslog", "syslog:", "syslog:6", "syslog:33", "syslog:x", "syslog:3x", "syslog:-1",
        "syslog:3,a,b,c", "syslog:3,a,nofacility", "syslog:3,,daemon", "file:3,a,b", "file:3,", "stdout:3,x",
        "stderr:1,x", "console:3", ":3", "", "file"})
    void badSpecsQuoteTheSpec(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogTarget.parse(spec, "p"));
        assertTrue(e.getMessage().startsWith("'" + spec + "'"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void onlyFileMayRepeat() {
        assertEquals(3, LogTarget.parseAll(List.of("file:3,a", "file:5,b", "stdout:1"), "p").size());
        for (String t : List.of("syslog:3", "stdout:3", "stderr:3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LogTarget.parseAll(List.of(t, "file:1", t.replace('3', '4')), "p"));
            assertTrue(e.getMessage().contains("only the file target may be given more than once"), e.getMessage());
        }
    }

    @Test
    void levels() {
        assertEquals(List.of("OFF", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"),
                java.util.Arrays.stream(LogLevel.values()).map(LogLevel::label).toList());
        for (LogLevel l : LogLevel.values()) {
            assertEquals(l, LogLevel.ofNumber(l.number()));
            if (l != LogLevel.OFF) {
                assertEquals(l, LogLevel.ofLogback(l.logback()));
                assertEquals(l.number() + 2, l.syslogPriority());
            }
        }
        assertEquals(3 << 3, SyslogFacility.DAEMON.code());
        assertEquals(23 << 3, SyslogFacility.byName("local7").orElseThrow().code());
    }
}
