package org.janytun.log;

import java.util.Locale;
import java.util.Optional;

/** The syslog(3) facilities by the names {@code -L syslog:N,ident,facility} accepts, with their Linux codes. */
public enum SyslogFacility {
    KERN(0), USER(1), MAIL(2), DAEMON(3), AUTH(4), SYSLOG(5), LPR(6), NEWS(7), UUCP(8), CRON(9),
    AUTHPRIV(10), FTP(11),
    LOCAL0(16), LOCAL1(17), LOCAL2(18), LOCAL3(19), LOCAL4(20), LOCAL5(21), LOCAL6(22), LOCAL7(23);

    private final int code;

    SyslogFacility(int number) {
        this.code = number << 3;
    }

    /** The facility value as {@code LOG_DAEMON} etc. define it (already shifted left by 3). */
    public int code() {
        return code;
    }

    /** The lower-case name used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The facility for a name such as {@code daemon} or {@code local3} (case-insensitive). */
    public static Optional<SyslogFacility> byName(String name) {
        for (SyslogFacility f : values()) {
            if (f.label().equalsIgnoreCase(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
