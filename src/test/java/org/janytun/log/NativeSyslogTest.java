package org.janytun.log;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class NativeSyslogTest {

    @Test
    void libcSyslogCanBeCalled() {
        assertNull(NativeSyslog.unavailableReason());
        NativeSyslog.openlog("janytun-test", NativeSyslog.LOG_PID, SyslogFacility.USER);
        NativeSyslog.syslog(LogLevel.DEBUG.syslogPriority(), "janytun unit test: 100% harmless %s %n line\0with NUL");
        NativeSyslog.closelog();
    }

    @Test
    void appenderThroughLogSetup() throws Exception {
        LogSetup.configure(List.of(new LogTarget.Syslog(LogLevel.DEBUG, "janytun-test", SyslogFacility.USER)));
        try {
            LoggerFactory.getLogger(NativeSyslogTest.class).trace("janytun unit test: syslog appender works");
            LoggerFactory.getLogger(NativeSyslogTest.class).debug("janytun unit test", new RuntimeException("x"));
        } finally {
            LogSetup.shutdown();
        }
    }
}
