package org.janytun.os;

import java.io.IOException;

/** A failed C library call: the errno it left and the C library's text for it ({@code strerror}). */
public class OsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String reason;

    /** {@code what} names the failed operation, e.g. {@code "open /dev/net/tun"}. */
    public OsException(String what, int errno) {
        this(what, errno, Libc.strerror(errno));
    }

    private OsException(String what, int errno, String reason) {
        super(what + ": " + reason + " (errno " + errno + ")");
        this.errno = errno;
        this.reason = reason;
    }

    /** The C errno value, e.g. {@link Libc#ENOENT}. */
    public int errno() {
        return errno;
    }

    /** The C library's text for {@link #errno()}, e.g. "No such file or directory". */
    public String reason() {
        return reason;
    }
}
