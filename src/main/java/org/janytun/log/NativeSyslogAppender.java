package org.janytun.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;

/**
 * A Logback appender for the local syslog daemon through libc's syslog(3) ({@link NativeSyslog}). Lines carry only
 * the message (syslog adds time, ident and pid); the priority follows {@link LogLevel#syslogPriority()}.
 *
 * <p>openlog(3) is process-wide, so only one such appender should run at a time; {@code -L} allows one syslog
 * target. The connection is opened at {@link #start()} ({@code LOG_NDELAY}) so that it survives a chroot.
 */
public final class NativeSyslogAppender extends AppenderBase<ILoggingEvent> {
    private String ident = "janytun";
    private SyslogFacility facility = SyslogFacility.DAEMON;

    public void setIdent(String ident) {
        this.ident = ident;
    }

    public void setFacility(SyslogFacility facility) {
        this.facility = facility;
    }

    @Override
    public void start() {
        Throwable why = NativeSyslog.unavailableReason();
        if (why != null) {
            addError("syslog(3) is not available", why);
            return;
        }
        NativeSyslog.openlog(ident, NativeSyslog.LOG_PID | NativeSyslog.LOG_NDELAY, facility);
        super.start();
    }

    @Override
    public void stop() {
        if (isStarted()) {
            NativeSyslog.closelog();
        }
        super.stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        LogLevel level = LogLevel.ofLogback(event.getLevel());
        if (level == LogLevel.OFF) {
            return;
        }
        String msg = event.getFormattedMessage();
        IThrowableProxy tp = event.getThrowableProxy();
        if (tp != null) {
            msg = msg + " (" + AnytunLayout.summary(tp) + ")";
        }
        NativeSyslog.syslog(level.syslogPriority(), msg);
    }
}
