package org.janytun.device;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.janytun.os.Libc;
import org.janytun.os.OsException;

/**
 * A Linux tun/tap device opened through /dev/net/tun with FFM.
 *
 * <p>Always {@code IFF_NO_PI}: no 4-byte packet-information header, so a tun read yields the bare IP packet and the
 * kernel derives the protocol of a written packet from its IP version nibble. The fd is non-blocking; {@link #read}
 * waits in poll(2) on it together with an eventfd that {@link #close} signals, so a blocked reader wakes at once.
 *
 * <p>Threading: one thread may read and one (other) thread may write at a time; {@link #close} may come from any
 * thread at any time. The fds are closed by whichever thread leaves last, never under a thread still inside
 * read or write (a closed fd number can be reused at once by an unrelated open).
 */
public final class LinuxTunDevice implements TunDevice {
    private static final String CLONE_DEVICE = "/dev/net/tun";
    private static final long TUNSETIFF = 0x400454caL; // _IOW('T', 202, int)
    private static final short IFF_TUN = 0x0001, IFF_TAP = 0x0002, IFF_NO_PI = 0x1000;
    private static final int IFNAMSIZ = 16;
    private static final long IFREQ_SIZE = 40; // struct ifreq: char ifr_name[16] + a 24-byte union (flags: short at 16)
    private static final byte[] EVENTFD_ONE = {1, 0, 0, 0, 0, 0, 0, 0}; // uint64 1, little-endian (x86_64, aarch64)

    private final int fd;
    private final int wakeFd;
    private final String name;
    private final DeviceType type;
    private final Libc.CallState readState = new Libc.CallState();
    private final Libc.CallState writeState = new Libc.CallState();
    /** Two struct pollfd (8 bytes each): the device fd and the eventfd, both POLLIN. Used by the reader only. */
    private final MemorySegment pollFds = Arena.ofAuto().allocate(16, 8);
    /** {@code (threads inside read/write/close) << 1 | closed}. */
    private final AtomicInteger state = new AtomicInteger();

    private LinuxTunDevice(int fd, int wakeFd, String name, DeviceType type) {
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.name = name;
        this.type = type;
        pollFds.set(JAVA_INT, 0, fd);
        pollFds.set(JAVA_SHORT, 4, Libc.POLLIN);
        pollFds.set(JAVA_INT, 8, wakeFd);
        pollFds.set(JAVA_SHORT, 12, Libc.POLLIN);
    }

    /**
     * Creates (or attaches to) a tun or tap device in the network namespace of the calling thread.
     *
     * @param nameOrNull the interface name, at most 15 bytes; null or empty lets the kernel choose (tunN / tapN)
     */
    public static LinuxTunDevice open(String nameOrNull, DeviceType type) throws IOException {
        byte[] requested = nameOrNull == null ? new byte[0] : nameOrNull.getBytes(StandardCharsets.UTF_8);
        if (requested.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("device name too long (at most " + (IFNAMSIZ - 1) + " bytes): " + nameOrNull);
        }
        int fd = Libc.open(CLONE_DEVICE, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        try {
            String actual;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ifr = arena.allocate(IFREQ_SIZE); // zeroed
                MemorySegment.copy(requested, 0, ifr, JAVA_BYTE, 0, requested.length);
                ifr.set(JAVA_SHORT, IFNAMSIZ, (short) ((type == DeviceType.TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI));
                try {
                    Libc.ioctl(fd, TUNSETIFF, ifr);
                } catch (OsException e) {
                    String what = requested.length == 0 ? "a " + type.name().toLowerCase(Locale.ROOT) + " device"
                            : type.name().toLowerCase(Locale.ROOT) + " device " + nameOrNull;
                    throw new OsException("cannot create " + what + " (TUNSETIFF)", e.errno());
                }
                actual = ifr.asSlice(0, IFNAMSIZ).getString(0); // the kernel writes back the name it used
            }
            return new LinuxTunDevice(fd, Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK), actual, type);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /** For tests: a device over any packet fd (e.g. one end of an AF_UNIX SOCK_SEQPACKET pair). Takes the fd. */
    static LinuxTunDevice wrap(int fd, String name, DeviceType type) throws IOException {
        return new LinuxTunDevice(fd, Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK), name, type);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceType type() {
        return type;
    }

    @Override
    public int batchSize() {
        return 1;
    }

    /** Whether {@link #close} has been called. */
    public boolean isClosed() {
        return (state.get() & 1) != 0;
    }

    /**
     * Waits up to {@code timeoutMillis} (negative: without limit) for one packet and reads it into {@code bufs[0]} at
     * {@code offset}; a packet longer than the room after {@code offset} is cut by the kernel, so leave room for
     * the MTU. Returns 0 on timeout or EINTR/EAGAIN, -1 once closed.
     */
    @Override
    public int read(byte[][] bufs, int[] sizes, int offset, int timeoutMillis) throws IOException {
        if (!enter()) {
            return -1;
        }
        try {
            if (bufs.length == 0) {
                return 0;
            }
            int ready = Libc.poll(readState, pollFds, 2, timeoutMillis);
            if (ready < 0) {
                int errno = readState.errno();
                if (errno == Libc.EINTR) {
                    return 0;
                }
                throw new OsException("poll on " + name, errno);
            }
            if (isClosed()) {
                return -1; // woken by close() through the eventfd (or closed meanwhile)
            }
            if (ready == 0 || pollFds.get(JAVA_SHORT, 6) == 0) {
                return 0;
            }
            byte[] buf = bufs[0];
            int n = Libc.read(readState, fd, buf, offset, buf.length - offset);
            if (n < 0) {
                int errno = readState.errno();
                if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
                    return 0;
                }
                throw new OsException("read from " + name, errno);
            }
            if (n == 0) {
                return 0; // a tun fd never yields an empty packet; a test socket does at EOF
            }
            sizes[0] = n;
            return 1;
        } finally {
            leave();
        }
    }

    /**
     * Writes every packet, even after one fails (e.g. EINVAL for a malformed packet, EIO when the device is down),
     * then throws one {@link OsException} carrying the first failure's errno, for the caller to count.
     */
    @Override
    public void write(byte[][] bufs, int[] offsets, int[] sizes, int count) throws IOException {
        if (!enter()) {
            throw new OsException("write to " + name + " (device closed)", Libc.EBADF);
        }
        int failed = 0;
        int firstErrno = 0;
        try {
            for (int i = 0; i < count; i++) {
                int n = Libc.write(writeState, fd, bufs[i], offsets[i], sizes[i]);
                if (n < 0 && writeState.errno() == Libc.EINTR) {
                    n = Libc.write(writeState, fd, bufs[i], offsets[i], sizes[i]);
                }
                if (n < 0 && failed++ == 0) {
                    firstErrno = writeState.errno();
                }
            }
        } finally {
            leave();
        }
        if (failed > 0) {
            throw new OsException("write to " + name + " (" + failed + " of " + count + " packets failed)", firstErrno);
        }
    }

    /** Idempotent. A reader blocked in {@link #read} returns -1 at once; later reads return -1, writes throw. */
    @Override
    public void close() {
        int s;
        do {
            s = state.get();
            if ((s & 1) != 0) {
                return;
            }
        } while (!state.compareAndSet(s, (s + 2) | 1)); // closed, and count ourselves in: the eventfd stays open
        Libc.write(new Libc.CallState(), wakeFd, EVENTFD_ONE, 0, EVENTFD_ONE.length);
        leave();
    }

    private boolean enter() {
        int s;
        do {
            s = state.get();
            if ((s & 1) != 0) {
                return false;
            }
        } while (!state.compareAndSet(s, s + 2));
        return true;
    }

    private void leave() {
        if (state.addAndGet(-2) == 1) { // closed and nobody inside any more: only one thread ever sees this
            closeQuietly(fd);
            closeQuietly(wakeFd);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            Libc.close(fd);
        } catch (OsException e) {
            // nothing to do: the fd is gone either way
        }
    }

    @Override
    public String toString() {
        return type.name().toLowerCase(Locale.ROOT) + " device " + name;
    }
}
