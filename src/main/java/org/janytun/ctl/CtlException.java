package org.janytun.ctl;

/** A request the daemon refuses: an errno-style number for scripts and a message for people (never a secret). */
public final class CtlException extends Exception {
    public static final int ENOENT = 2;
    public static final int E2BIG = 7;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ETIMEDOUT = 110;
    public static final int ENOSYS = 38;
    public static final int EIO = 5;

    private final int errno;

    public CtlException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
