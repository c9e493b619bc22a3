package org.janytun.os;

/**
 * An eventfd that one thread signals and another waits on in a {@link PollSet} (add {@link #fd()}): how a loop
 * blocked in poll is told to stop or to look again. {@link #wake} may be called from any thread; {@link #drain}
 * (which resets it) by the waiting one. Allocation-free.
 */
public final class Waker {
    private static final byte[] ONE = {1, 0, 0, 0, 0, 0, 0, 0}; // uint64 1, little-endian (x86_64, aarch64)
    private final int fd;
    private final byte[] scratch = new byte[8];

    private Waker(int fd) {
        this.fd = fd;
    }

    /** A new non-blocking, close-on-exec eventfd. */
    public static Waker open() throws OsException {
        return new Waker(Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK));
    }

    public int fd() {
        return fd;
    }

    /** Makes the fd readable until drained. */
    public void wake(Libc.CallState st) {
        Libc.write(st, fd, ONE, 0, ONE.length);
    }

    /** Resets it; by the thread that waits on it. */
    public void drain(Libc.CallState st) {
        Libc.read(st, fd, scratch, 0, scratch.length);
    }

    /** Closes the fd, quietly: only once nobody waits on it any more. */
    public void close() {
        try {
            Libc.close(fd);
        } catch (OsException ignored) {
            // closing anyway
        }
    }
}
