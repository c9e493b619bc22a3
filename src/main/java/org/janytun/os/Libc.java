package org.janytun.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Optional;

/**
 * Thin FFM bindings to the C library (glibc, Linux x86_64/aarch64). Calls that can fail throw {@link OsException}
 * with the errno captured by the linker (reading errno after the call from Java would see a value clobbered by
 * the JVM). The per-packet calls {@link #read} and {@link #write} do not throw and do not allocate: they return
 * -1 and leave errno in a caller-owned {@link CallState}.
 */
public final class Libc {
    // errno values (asm-generic/errno-base.h and errno.h; the same on x86_64 and aarch64).
    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
            EACCES = 13, EBUSY = 16, EEXIST = 17, ENODEV = 19, EINVAL = 22, ENOSPC = 28, ERANGE = 34,
            EMSGSIZE = 90, EBADFD = 77;
    // open(2) flags.
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    // poll(2) event bits (short).
    public static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    /** setns(2): join a network namespace. */
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int EFD_NONBLOCK = O_NONBLOCK, EFD_CLOEXEC = O_CLOEXEC;
    public static final int AF_UNIX = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = O_CLOEXEC;
    // Sockets (x86_64 and aarch64 share these).
    public static final int AF_INET = 2, AF_INET6 = 10, SOCK_DGRAM = 2;
    public static final int SOL_SOCKET = 1, SO_TYPE = 3, SO_PROTOCOL = 38, SO_RCVBUF = 8, SO_SNDBUF = 7,
            SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33;
    public static final int IPPROTO_UDP = 17, SOL_UDP = 17, UDP_SEGMENT = 103, UDP_GRO = 104;
    public static final int MSG_DONTWAIT = 0x40;
    public static final short POLLOUT = 0x4;
    public static final int ENOTSOCK = 88, EOPNOTSUPP = 95, ENOPROTOOPT = 92, ECONNREFUSED = 111;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    // Downcall handles, each in its own holder class so that it is linked on first use only: linking one costs a
    // few milliseconds of stub generation at start-up, and a daemon uses a handful of the thirty-odd.
    // Per-packet calls on heap arrays (read, write) use critical(true): the native code sees the byte[] directly
    // (no copy, no native buffer). Only for calls that never block: the fds are non-blocking and poll() comes first.
    // poll blocks, so it is an ordinary downcall (the GC can run meanwhile) on a native pollfd array.
    // open and ioctl are variadic in C: the mode / argument is passed the variadic way.
    // glibc's set*id wrappers apply the change to every thread of the process (they signal the others), which a
    // multi-threaded JVM needs; the raw syscalls would change only the calling thread.
    // The reentrant getpwnam_r/getgrnam_r: getpwnam/getgrnam return a static buffer another thread may overwrite.
    // The per-packet calls (read, write, poll, recvmmsg, sendmmsg) also have a FAST handle without errno capture,
    // tried first. Capturing makes the JDK slice the capture segment on every call, a 40-byte object that C2 removes
    // only when its profile-driven inlining happens to take in the whole FFM chain; measured: in about one JVM run
    // of five it does not, and every call then allocates for the rest of the run. A -1 from these calls means
    // nothing was read, written, sent or received, so the capturing call simply makes it again to learn errno; for
    // a transient error (EAGAIN, EINTR) the repeat may succeed instead, which the caller takes as it would anyway.
    // read and recvmmsg fail at the end of every drain (EAGAIN), so they first ask poll, without waiting, whether
    // the fd is merely empty: then errno is EAGAIN, set by us. Only an fd that is readable or in error is asked
    // again with capture. Either way a failure costs one more system call; success costs nothing more.
    private static final class READ {
        static final FunctionDescriptor FD = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
        static final MethodHandle H = errnoFn("read", FD, Linker.Option.critical(true));
        static final MethodHandle FAST = fn("read", FD, Linker.Option.critical(true));
    }
    private static final class WRITE {
        static final FunctionDescriptor FD = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
        static final MethodHandle H = errnoFn("write", FD, Linker.Option.critical(true));
        static final MethodHandle FAST = fn("write", FD, Linker.Option.critical(true));
    }
    private static final class POLL {
        static final FunctionDescriptor FD = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final MethodHandle H = errnoFn("poll", FD);
        static final MethodHandle FAST = fn("poll", FD);
    }
    private static final class OPEN {
        static final MethodHandle H = errnoFn("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    }
    private static final class IOCTL {
        static final MethodHandle H = errnoFn("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    }
    private static final class IOCTL_VALUE {
        static final MethodHandle H = errnoFn("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    }
    private static final class CLOSE {
        static final MethodHandle H = errnoFn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class EVENTFD {
        static final MethodHandle H = errnoFn("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class SOCKETPAIR {
        static final MethodHandle H = errnoFn("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class DUP2 {
        static final MethodHandle H = errnoFn("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class SETNS {
        static final MethodHandle H = errnoFn("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class GETPID {
        static final MethodHandle H = fn("getpid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class GETUID {
        static final MethodHandle H = fn("getuid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class GETEUID {
        static final MethodHandle H = fn("geteuid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class GETGID {
        static final MethodHandle H = fn("getgid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class GETEGID {
        static final MethodHandle H = fn("getegid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class UMASK {
        static final MethodHandle H = fn("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class STRERROR {
        static final MethodHandle H = fn("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }
    private static final class SETUID {
        static final MethodHandle H = errnoFn("setuid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class SETGID {
        static final MethodHandle H = errnoFn("setgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class SETGROUPS {
        static final MethodHandle H = errnoFn("setgroups", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
    }
    private static final class INITGROUPS {
        static final MethodHandle H = errnoFn("initgroups", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class GETGROUPLIST {
        static final MethodHandle H = fn("getgrouplist",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class GETPWNAM_R {
        static final MethodHandle H = fn("getpwnam_r",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    }
    private static final class GETGRNAM_R {
        static final MethodHandle H = fn("getgrnam_r",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    }
    private static final class CHROOT {
        static final MethodHandle H = errnoFn("chroot", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class CHDIR {
        static final MethodHandle H = errnoFn("chdir", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }
    private static final class RECVMMSG {
        static final FunctionDescriptor FD =
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        static final MethodHandle H = errnoFn("recvmmsg", FD, Linker.Option.critical(false));
        static final MethodHandle FAST = fn("recvmmsg", FD, Linker.Option.critical(false));
    }
    private static final class SENDMMSG {
        static final FunctionDescriptor FD = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle H = errnoFn("sendmmsg", FD);
        static final MethodHandle FAST = fn("sendmmsg", FD);
    }
    private static final class SETSOCKOPT {
        static final MethodHandle H = errnoFn("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class GETSOCKOPT {
        static final MethodHandle H = errnoFn("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class GETSOCKNAME {
        static final MethodHandle H = errnoFn("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class MALLOC_TRIM {
        static final MethodHandle H = fn("malloc_trim", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    }
    private static final class GETTID {
        static final MethodHandle H = fn("gettid", FunctionDescriptor.of(JAVA_INT));
    }
    private static final class SETPRIORITY {
        static final MethodHandle H = errnoFn("setpriority", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class SOCKET {
        static final MethodHandle H = errnoFn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class CONNECT {
        static final MethodHandle H = errnoFn("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class BIND {
        static final MethodHandle H = errnoFn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class SEND {
        static final MethodHandle H = errnoFn("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    private static final class RECV {
        static final MethodHandle H = errnoFn("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }
    private static final class SETSID {
        static final MethodHandle H = errnoFn("setsid", FunctionDescriptor.of(JAVA_INT));
    }

    // struct passwd and struct group on 64-bit glibc:
    // passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; char *pw_gecos; char *pw_dir; char *pw_shell; }
    private static final long PASSWD_SIZE = 48, PW_NAME = 0, PW_UID = 16, PW_GID = 20, PW_DIR = 32;
    // group { char *gr_name; char *gr_passwd; gid_t gr_gid; /* pad */ char **gr_mem; }
    private static final long GROUP_SIZE = 32, GR_GID = 16;

    private Libc() {
    }

    /**
     * Per-thread state for the per-packet calls: a preallocated buffer for errno, and a small cache of heap segments.
     * Give each thread that makes per-packet calls its own (e.g. one for the reader and one for the writer of a
     * device); it is not thread-safe.
     *
     * <p>Why the cache: {@code MemorySegment.ofArray(buf).asSlice(off)} creates three objects. C2's escape analysis
     * removes them only when the whole downcall chain is inlined into one compilation, which depends on the caller
     * and on compile order (measured: sometimes it does not). Reusing one slice per (array, offset) makes the
     * calls allocation-free regardless, as long as the caller reuses its buffers, which it should anyway.
     */
    public static final class CallState {
        private static final int SLOTS = 64; // a power of two; holds at most this many caller arrays alive
        final MemorySegment segment = Arena.ofAuto().allocate(CAPTURE_LAYOUT);
        private final MemorySegment probe = Arena.ofAuto().allocate(8, 4); // one struct pollfd
        private final byte[][] arrays = new byte[SLOTS][];
        private final int[] offsets = new int[SLOTS];
        private final MemorySegment[] slices = new MemorySegment[SLOTS];

        /** The errno left by the last failed call made with this state. */
        public int errno() {
            return Libc.errno(segment);
        }

        /**
         * After a read or recvmmsg on {@code fd} returned -1 without capture: true, with errno EAGAIN, when the fd has
         * nothing to read and no error pending (the usual end of a drain); false when a capturing call must tell.
         */
        boolean nothingToRead(int fd) {
            probe.set(JAVA_INT, 0, fd);
            probe.set(JAVA_SHORT, 4, POLLIN);
            probe.set(JAVA_SHORT, 6, (short) 0);
            int ready;
            try {
                ready = (int) POLL.FAST.invokeExact(probe, 1L, 0);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (ready != 0) {
                return false;
            }
            ERRNO.set(segment, 0L, EAGAIN);
            return true;
        }

        /** A heap segment of {@code array} from {@code offset} to its end (the length goes to the C call separately). */
        MemorySegment slice(byte[] array, int offset) {
            // Two-way set associative: set = top 5 bits of a Fibonacci hash, so two hot buffers rarely evict each other.
            int i = (((System.identityHashCode(array) ^ offset) * 0x9E3779B1) >>> 27) << 1;
            if (arrays[i] == array && offsets[i] == offset) {
                return slices[i];
            }
            if (arrays[i + 1] == array && offsets[i + 1] == offset) {
                return slices[i + 1];
            }
            // Miss: the new slice goes first, the previous first moves to second (the older second is dropped).
            arrays[i + 1] = arrays[i];
            offsets[i + 1] = offsets[i];
            slices[i + 1] = slices[i];
            arrays[i] = array;
            offsets[i] = offset;
            return slices[i] = MemorySegment.ofArray(array).asSlice(offset);
        }
    }

    /** A user database entry (the fields of struct passwd that we need). */
    public record Passwd(String name, int uid, int gid, String home) {
    }

    // ---- per-packet calls: no exceptions, no allocation -------------------------------------------------------

    /**
     * read(2) into {@code buf[off, off+len)}. Returns the byte count, or -1 with errno in {@code st}. Only for
     * NON-BLOCKING fds: a critical call holds off the garbage collector while it runs.
     */
    public static int read(CallState st, int fd, byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        try {
            MemorySegment into = st.slice(buf, off);
            long n = (long) READ.FAST.invokeExact(fd, into, (long) len);
            if (n >= 0 || st.nothingToRead(fd)) {
                return (int) n;
            }
            return (int) (long) READ.H.invokeExact(st.segment, fd, into, (long) len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2) from {@code buf[off, off+len)}: like {@link #read}, non-blocking fds only. */
    public static int write(CallState st, int fd, byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        try {
            MemorySegment from = st.slice(buf, off);
            long n = (long) WRITE.FAST.invokeExact(fd, from, (long) len);
            return (int) (n >= 0 ? n : (long) WRITE.H.invokeExact(st.segment, fd, from, (long) len));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * poll(2) on a native array of {@code nfds} struct pollfd ({@code int fd; short events; short revents;}, 8 bytes
     * each). Returns the number of ready fds, 0 on timeout, or -1 with errno in {@code st}. After an interruption
     * it looks once more without waiting (to learn errno), so it may return what is ready instead of -1/EINTR.
     */
    public static int poll(CallState st, MemorySegment fds, int nfds, int timeoutMillis) {
        try {
            int n = (int) POLL.FAST.invokeExact(fds, (long) nfds, timeoutMillis);
            return n >= 0 ? n : (int) POLL.H.invokeExact(st.segment, fds, (long) nfds, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * recvmmsg(2) into native {@code struct mmsghdr} array {@code msgs} of {@code vlen} entries, without a timeout.
     * Returns the number of messages, or -1 with errno in {@code st}. Always with MSG_DONTWAIT (or on a non-blocking
     * fd): the call is linked as critical, which holds off the garbage collector while it runs.
     */
    public static int recvmmsg(CallState st, int fd, MemorySegment msgs, int vlen, int flags) {
        try {
            int n = (int) RECVMMSG.FAST.invokeExact(fd, msgs, vlen, flags, MemorySegment.NULL);
            if (n >= 0 || st.nothingToRead(fd)) {
                return n;
            }
            return (int) RECVMMSG.H.invokeExact(st.segment, fd, msgs, vlen, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sendmmsg(2): returns the number of messages sent, or -1 with errno in {@code st}. May block. */
    public static int sendmmsg(CallState st, int fd, MemorySegment msgs, int vlen, int flags) {
        try {
            int n = (int) SENDMMSG.FAST.invokeExact(fd, msgs, vlen, flags);
            return n >= 0 ? n : (int) SENDMMSG.H.invokeExact(st.segment, fd, msgs, vlen, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt(2) with an int value; returns 0, or -1 with errno in {@code st}. */
    public static int setsockoptInt(CallState st, int fd, int level, int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            return (int) SETSOCKOPT.H.invokeExact(st.segment, fd, level, name, v, 4);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockopt(2) of an int value: the value, or {@code Integer.MIN_VALUE} with errno in {@code st}. */
    public static int getsockoptInt(CallState st, int fd, int level, int name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocateFrom(JAVA_INT, 4);
            int r = (int) GETSOCKOPT.H.invokeExact(st.segment, fd, level, name, v, len);
            return r < 0 ? Integer.MIN_VALUE : v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * getsockname(2) into {@code addr} (a sockaddr buffer of {@code addr.byteSize()} bytes): the address length, or -1
     * with errno in {@code st} (EBADF for a closed fd, ENOTSOCK for a non-socket).
     */
    public static int getsockname(CallState st, int fd, MemorySegment addr) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment len = arena.allocateFrom(JAVA_INT, (int) addr.byteSize());
            int r = (int) GETSOCKNAME.H.invokeExact(st.segment, fd, addr, len);
            return r < 0 ? -1 : len.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- file descriptors -----------------------------------------------------------------------------------

    public static int open(String path, int flags, int mode) throws OsException {
        return checked("open " + path,
                (st, arena) -> (int) OPEN.H.invokeExact(st, arena.allocateFrom(path), flags, mode));
    }

    /** close(2). Not retried on EINTR: on Linux the fd is released even then. */
    public static void close(int fd) throws OsException {
        try {
            checked("close fd " + fd, (st, arena) -> (int) CLOSE.H.invokeExact(st, fd));
        } catch (OsException e) {
            if (e.errno() != EINTR) {
                throw e;
            }
        }
    }

    /** ioctl(2) with a pointer argument, e.g. TUNSETIFF with a struct ifreq. */
    public static int ioctl(int fd, long request, MemorySegment arg) throws OsException {
        return checked(ioctlText(fd, request), (st, arena) -> (int) IOCTL.H.invokeExact(st, fd, request, arg));
    }

    /** ioctl(2) with an integer argument passed by value, e.g. TUNSETOFFLOAD. */
    public static int ioctl(int fd, long request, long value) throws OsException {
        return checked(ioctlText(fd, request), (st, arena) -> (int) IOCTL_VALUE.H.invokeExact(st, fd, request, value));
    }

    private static String ioctlText(int fd, long request) {
        return "ioctl 0x" + Long.toHexString(request) + " on fd " + fd;
    }

    /** eventfd(2): a counter fd, used to wake a thread blocked in poll. */
    public static int eventfd(int initval, int flags) throws OsException {
        return intCall("eventfd", EVENTFD.H, initval, flags);
    }

    /** socketpair(2): two connected sockets, e.g. AF_UNIX/SOCK_SEQPACKET keeps packet boundaries like a tun fd. */
    public static int[] socketpair(int domain, int type, int protocol) throws OsException {
        MemorySegment sv = Arena.ofAuto().allocate(JAVA_INT, 2);
        checked("socketpair", (st, arena) -> (int) SOCKETPAIR.H.invokeExact(st, domain, type, protocol, sv));
        return sv.toArray(JAVA_INT);
    }

    public static void dup2(int oldFd, int newFd) throws OsException {
        intCall("dup2", DUP2.H, oldFd, newFd);
    }

    // ---- Unix datagram sockets (the JDK has Unix stream sockets only): sd_notify ----------------------------------

    /** struct sockaddr_un: sa_family_t sun_family; char sun_path[108]. */
    private static final int SOCKADDR_UN_SIZE = 110;
    /** SOCK_DGRAM on a Unix socket; SOCK_NONBLOCK for a receiver that polls. */
    public static final int SOCK_NONBLOCK = O_NONBLOCK;

    /** socket(2). */
    public static int socket(int domain, int type, int protocol) throws OsException {
        return checked("socket", (st, arena) -> (int) SOCKET.H.invokeExact(st, domain, type, protocol));
    }

    /**
     * A sockaddr_un for {@code path}; a path starting with '@' names an abstract socket (a NUL byte first), as
     * systemd writes them in NOTIFY_SOCKET.
     */
    private static MemorySegment sockaddrUn(Arena arena, String path) throws OsException {
        byte[] p = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        boolean abstractName = p.length > 0 && p[0] == '@';
        if (p.length == 0 || p.length > 107) {
            throw new OsException("unix socket path of " + p.length + " bytes", EINVAL);
        }
        MemorySegment a = arena.allocate(SOCKADDR_UN_SIZE);
        a.set(JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, a, java.lang.foreign.ValueLayout.JAVA_BYTE, 2, p.length);
        if (abstractName) {
            a.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) 0);
        }
        return a;
    }

    /** The length of the sockaddr_un for {@code path}: the whole struct, or exactly the name for an abstract one. */
    private static int sockaddrUnLength(String path) {
        return path.startsWith("@") ? 2 + path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                : SOCKADDR_UN_SIZE;
    }

    /** connect(2) to the Unix socket {@code path} (a datagram socket then sends there without naming it). */
    public static void connectUnix(int fd, String path) throws OsException {
        checked("connect " + path, (st, arena) -> (int) CONNECT.H.invokeExact(st, fd, sockaddrUn(arena, path),
                sockaddrUnLength(path)));
    }

    /** bind(2) to the Unix socket {@code path}. */
    public static void bindUnix(int fd, String path) throws OsException {
        checked("bind " + path, (st, arena) -> (int) BIND.H.invokeExact(st, fd, sockaddrUn(arena, path),
                sockaddrUnLength(path)));
    }

    /** send(2) of {@code data} as one datagram; a cold call (it copies). */
    public static void send(int fd, byte[] data, int flags) throws OsException {
        checked("send", (st, arena) -> (int) (long) SEND.H.invokeExact(st, fd, arena.allocateFrom(
                java.lang.foreign.ValueLayout.JAVA_BYTE, data), (long) data.length, flags));
    }

    /** recv(2) of one datagram into a new array; a cold call. */
    public static byte[] recv(int fd, int maxLength, int flags) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(maxLength);
            int n = checked("recv", (st, a) -> (int) (long) RECV.H.invokeExact(st, fd, buf, (long) maxLength, flags));
            return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    /** setns(2): moves the CALLING THREAD (not the process) into the namespace that {@code fd} refers to. */
    public static void setns(int fd, int nstype) throws OsException {
        intCall("setns", SETNS.H, fd, nstype);
    }

    // ---- process, identity, privileges -------------------------------------------------------------------------

    public static int getpid() {
        return intNoErrno(GETPID.H);
    }

    public static int getuid() {
        return intNoErrno(GETUID.H);
    }

    public static int geteuid() {
        return intNoErrno(GETEUID.H);
    }

    public static int getgid() {
        return intNoErrno(GETGID.H);
    }

    public static int getegid() {
        return intNoErrno(GETEGID.H);
    }

    /**
     * malloc_trim(3): gives the C heap's free memory back to the kernel (glibc keeps what the JIT compilers freed,
     * and it counts as resident). Returns whether any was released; false where the C library has no such call.
     */
    public static boolean mallocTrim() {
        try {
            return (int) MALLOC_TRIM.H.invokeExact(0L) != 0;
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            return false;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** gettid(2): the kernel's id of the calling thread. */
    public static int gettid() {
        return intNoErrno(GETTID.H);
    }

    /**
     * Sets the nice value of the calling thread only (Linux: setpriority(PRIO_PROCESS, tid) acts on one thread), e.g.
     * 19 for background work that must not delay the packet threads. Raising it needs no privilege.
     */
    public static void niceThisThread(int nice) throws OsException {
        int tid = gettid();
        checked("setpriority", (st, arena) -> (int) SETPRIORITY.H.invokeExact(st, 0 /* PRIO_PROCESS */, tid, nice));
    }

    /** umask(2): sets the file mode creation mask, returns the previous one. */
    public static int umask(int mask) {
        try {
            return (int) UMASK.H.invokeExact(mask);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsid(2): a new session with this process as leader; returns the session id. */
    public static int setsid() throws OsException {
        return checked("setsid", (st, arena) -> (int) SETSID.H.invokeExact(st));
    }

    public static void setuid(int uid) throws OsException {
        intCall("setuid " + Integer.toUnsignedString(uid), SETUID.H, uid);
    }

    public static void setgid(int gid) throws OsException {
        intCall("setgid " + Integer.toUnsignedString(gid), SETGID.H, gid);
    }

    /** setgroups(2): the supplementary group list (empty clears it). */
    public static void setgroups(int[] gids) throws OsException {
        checked("setgroups", (st, arena) -> {
            MemorySegment list = gids.length == 0 ? MemorySegment.NULL : arena.allocateFrom(JAVA_INT, gids);
            return (int) SETGROUPS.H.invokeExact(st, (long) gids.length, list); // a typed local: invokeExact is exact
        });
    }

    /** initgroups(3): the supplementary groups of {@code user} from the group database, plus {@code gid}. */
    public static void initgroups(String user, int gid) throws OsException {
        checked("initgroups " + user, (st, arena) -> (int) INITGROUPS.H.invokeExact(st, arena.allocateFrom(user), gid));
    }

    /** getgrouplist(3): the groups {@code user} belongs to, {@code gid} included. Read before a chroot hides /etc. */
    public static int[] getgrouplist(String user, int gid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(user);
            MemorySegment count = arena.allocate(JAVA_INT);
            int n = 32;
            while (true) {
                MemorySegment groups = arena.allocate(JAVA_INT, n);
                count.set(JAVA_INT, 0, n);
                int r = (int) GETGROUPLIST.H.invokeExact(name, gid, groups, count);
                int found = count.get(JAVA_INT, 0);
                if (r >= 0) {
                    return groups.asSlice(0, found * 4L).toArray(JAVA_INT);
                }
                n = Math.max(found, n * 2); // -1: the array was too small; count now holds the size needed
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getpwnam_r(3): the user's entry, or empty when there is no such user. */
    public static Optional<Passwd> getpwnam(String user) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(user);
            MemorySegment pwd = arena.allocate(PASSWD_SIZE, 8);
            MemorySegment result = arena.allocate(ADDRESS);
            for (long size = 1024; ; size *= 2) {
                MemorySegment buf = arena.allocate(size);
                int err = (int) GETPWNAM_R.H.invokeExact(name, pwd, buf, size, result);
                if (err == ERANGE && size < (1 << 20)) {
                    continue;
                }
                if (err != 0) {
                    throw new OsException("getpwnam " + user, err);
                }
                if (result.get(ADDRESS, 0).equals(MemorySegment.NULL)) {
                    return Optional.empty();
                }
                return Optional.of(new Passwd(cString(pwd.get(ADDRESS, PW_NAME)), pwd.get(JAVA_INT, PW_UID),
                        pwd.get(JAVA_INT, PW_GID), cString(pwd.get(ADDRESS, PW_DIR))));
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getgrnam_r(3): the group's gid, or empty when there is no such group. */
    public static Optional<Integer> getgrnam(String group) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(group);
            MemorySegment grp = arena.allocate(GROUP_SIZE, 8);
            MemorySegment result = arena.allocate(ADDRESS);
            for (long size = 1024; ; size *= 2) {
                MemorySegment buf = arena.allocate(size);
                int err = (int) GETGRNAM_R.H.invokeExact(name, grp, buf, size, result);
                if (err == ERANGE && size < (1 << 24)) { // groups with many members need a large buffer
                    continue;
                }
                if (err != 0) {
                    throw new OsException("getgrnam " + group, err);
                }
                if (result.get(ADDRESS, 0).equals(MemorySegment.NULL)) {
                    return Optional.empty();
                }
                return Optional.of(grp.get(JAVA_INT, GR_GID));
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void chroot(String dir) throws OsException {
        pathCall("chroot", CHROOT.H, dir);
    }

    public static void chdir(String dir) throws OsException {
        pathCall("chdir", CHDIR.H, dir);
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    /** strerror(3): the C library's text for an errno value. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.H.invokeExact(errno);
            return s.equals(MemorySegment.NULL) ? "errno " + errno : cString(s);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    @SuppressWarnings("restricted") // the reason for this class; the launcher passes --enable-native-access
    private static MethodHandle fn(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment address = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in the C library"));
        return LINKER.downcallHandle(address, fd, options);
    }

    /** A downcall that also captures errno; the capture segment becomes the first argument. */
    private static MethodHandle errnoFn(String name, FunctionDescriptor fd, Linker.Option... options) {
        Linker.Option[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = ERRNO_OPT;
        return fn(name, fd, all);
    }

    private static int errno(MemorySegment captureState) {
        return (int) ERRNO.get(captureState, 0L);
    }

    @SuppressWarnings("restricted") // a NUL-terminated string the C library handed us
    private static String cString(MemorySegment p) {
        return p.equals(MemorySegment.NULL) ? null : p.reinterpret(Integer.MAX_VALUE).getString(0);
    }

    private static int intNoErrno(MethodHandle h) {
        try {
            return (int) h.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A cold call with errno: {@code call} gets the capture segment and an arena for its arguments. */
    @FunctionalInterface
    private interface ErrnoCall {
        int invoke(MemorySegment captureState, Arena arena) throws Throwable;
    }

    /** Makes {@code call}; a negative result throws an OsException for {@code what} with the captured errno. */
    private static int checked(String what, ErrnoCall call) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CAPTURE_LAYOUT);
            int r = call.invoke(st, arena);
            if (r < 0) {
                throw new OsException(what, errno(st));
            }
            return r;
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static int intCall(String what, MethodHandle h, int a) throws OsException {
        return checked(what, (st, arena) -> (int) h.invokeExact(st, a));
    }

    private static int intCall(String what, MethodHandle h, int a, int b) throws OsException {
        return checked(what, (st, arena) -> (int) h.invokeExact(st, a, b));
    }

    private static void pathCall(String what, MethodHandle h, String path) throws OsException {
        checked(what + " " + path, (st, arena) -> (int) h.invokeExact(st, arena.allocateFrom(path)));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
