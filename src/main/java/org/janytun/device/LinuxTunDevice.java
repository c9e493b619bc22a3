package org.janytun.device;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import org.janytun.os.Libc;
import org.janytun.os.OsException;
import org.janytun.os.PollSet;
import org.janytun.os.Waker;
import org.janytun.wire.DeviceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux tun/tap device opened through /dev/net/tun with FFM.
 *
 * <p>Always {@code IFF_NO_PI}: no 4-byte packet-information header, so a tun read yields the bare IP packet and the
 * kernel derives the protocol of a written packet from its IP version nibble. The fd is non-blocking; {@link #read}
 * waits in poll(2) on it together with an eventfd that {@link #close} signals, so a blocked reader wakes at once.
 *
 * <p><b>Offloads.</b> A tun device is opened with {@code IFF_VNET_HDR} and {@code TUNSETOFFLOAD} (checksum, TSO4/6
 * with ECN, USO4/6 where the kernel has it), each one tried and dropped when the kernel refuses it. The kernel then
 * hands over TCP segments of up to 64 KiB, which {@link #read} cuts into MTU-sized packets ({@link GsoSplitter}), and
 * {@link #write} merges consecutive TCP segments of a flow into one such segment, and with USO a flow's UDP datagrams
 * into one write ({@link GroCoalescer}); so the local stack handles one large segment instead of ~45 small ones in
 * each direction, and a flood of small datagrams costs one write per batch, while every inner packet
 * sealed or opened stays exactly what a peer without offloads sends and expects. {@code -Djanytun.offload=off}
 * opens without them; {@code -Djanytun.gro=off} keeps TSO but writes packet by packet.
 *
 * <p>Threading: one thread may read and one (other) thread may write at a time; {@link #close} may come from any
 * thread at any time. The fds are closed by whichever thread leaves last, never under a thread still inside
 * read or write (a closed fd number can be reused at once by an unrelated open).
 */
public final class LinuxTunDevice implements TunDevice {
    private static final String CLONE_DEVICE = "/dev/net/tun";
    private static final long TUNSETIFF = 0x400454caL; // _IOW('T', 202, int)
    private static final short IFF_TUN = 0x0001, IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, IFF_VNET_HDR = 0x4000;
    private static final long TUNSETOFFLOAD = 0x400454d0L; // _IOW('T', 208, unsigned int)
    private static final int TUN_F_CSUM = 0x01, TUN_F_TSO4 = 0x02, TUN_F_TSO6 = 0x04, TUN_F_TSO_ECN = 0x08,
            TUN_F_USO4 = 0x20, TUN_F_USO6 = 0x40;
    /** Packets one {@link #read} returns at most, and one {@link #write} merges at most. */
    public static final int BATCH = 64;
    /** Room for the largest packet a tun with TSO hands over: 64 KiB plus the virtio_net_hdr. */
    private static final int LARGE = 65536 + VirtioNetHdr.LENGTH + 64;
    private static final Logger log = LoggerFactory.getLogger(LinuxTunDevice.class);
    private static final int IFNAMSIZ = 16;
    private static final long IFREQ_SIZE = 40; // struct ifreq: char ifr_name[16] + a 24-byte union (flags: short at 16)

    private final int fd;
    private final Waker wake;
    private final String name;
    private final DeviceType type;
    private final Libc.CallState readState = new Libc.CallState();
    private final Libc.CallState writeState = new Libc.CallState();
    /** The device fd (entry 0) and the eventfd: used by the reader only. */
    private final PollSet readPoll = new PollSet(2, readState);
    private final Libc.CallState awaitState = new Libc.CallState();
    /** The same for {@link #await}, which may run beside a non-waiting {@link #read} on another thread. */
    private final PollSet awaitPoll = new PollSet(2, awaitState);
    /** {@code (threads inside read/write/close) << 1 | closed}. */
    private final AtomicInteger state = new AtomicInteger();
    /** Whether every packet on the fd carries a virtio_net_hdr. */
    private final boolean vnetHdr;
    private final String offloads;
    // reader state
    private final byte[] readLarge;
    private final GsoSplitter splitter;
    private boolean mayRead;
    private long truncated;
    // writer state
    private final GroCoalescer coalescer;
    private final byte[] writeLarge;

    private LinuxTunDevice(int fd, Waker wake, String name, DeviceType type, boolean vnetHdr, boolean gro,
                           boolean udpGro, String offloads) {
        this.fd = fd;
        this.vnetHdr = vnetHdr;
        this.offloads = offloads;
        this.readLarge = vnetHdr ? new byte[LARGE] : null;
        this.splitter = vnetHdr ? new GsoSplitter() : null;
        this.coalescer = vnetHdr && gro ? new GroCoalescer(BATCH, udpGro) : null;
        this.writeLarge = vnetHdr ? new byte[LARGE] : null;
        this.wake = wake;
        this.name = name;
        this.type = type;
        for (PollSet p : new PollSet[] {readPoll, awaitPoll}) {
            p.addReadable(fd);
            p.addReadable(wake.fd());
        }
    }

    /**
     * Creates (or attaches to) a tun or tap device in the network namespace of the calling thread.
     *
     * @param nameOrNull the interface name, at most 15 bytes; null or empty lets the kernel choose (tunN / tapN)
     */
    public static LinuxTunDevice open(String nameOrNull, DeviceType type) throws IOException {
        boolean wantOffload = type == DeviceType.TUN && !"off".equals(System.getProperty("janytun.offload"));
        if (wantOffload) {
            try {
                return open(nameOrNull, type, true);
            } catch (OsException e) {
                if (e.errno() != Libc.EINVAL) {
                    throw e;
                }
                log.info("tun: the kernel refused IFF_VNET_HDR ({}); no offloads", e.getMessage());
            }
        }
        return open(nameOrNull, type, false);
    }

    private static LinuxTunDevice open(String nameOrNull, DeviceType type, boolean vnet) throws IOException {
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
                short flags = (short) ((type == DeviceType.TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0));
                ifr.set(JAVA_SHORT, IFNAMSIZ, flags);
                try {
                    Libc.ioctl(fd, TUNSETIFF, ifr);
                } catch (OsException e) {
                    if (vnet && e.errno() == Libc.EINVAL) {
                        throw e; // the caller retries without the header
                    }
                    String what = requested.length == 0 ? "a " + type.name().toLowerCase(Locale.ROOT) + " device"
                            : type.name().toLowerCase(Locale.ROOT) + " device " + nameOrNull;
                    throw new OsException("cannot create " + what + " (TUNSETIFF)", e.errno());
                }
                actual = ifr.asSlice(0, IFNAMSIZ).getString(0); // the kernel writes back the name it used
            }
            String offloads = "none";
            boolean gro = false;
            boolean udpGro = false;
            if (vnet) {
                int taken = setOffloads(fd);
                offloads = describeOffloads(taken);
                gro = !"off".equals(System.getProperty("janytun.gro"));
                udpGro = gro && (taken & (TUN_F_USO4 | TUN_F_USO6)) == (TUN_F_USO4 | TUN_F_USO6);
                log.info("{}: offloads {}{}", actual, offloads,
                        udpGro ? ", TCP and UDP coalescing on write" : gro ? ", TCP coalescing on write" : "");
            }
            return new LinuxTunDevice(fd, Waker.open(), actual, type, vnet, gro, udpGro, offloads);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /**
     * Asks for the most the kernel gives: checksum + TSO4/6 (+ECN) + USO4/6, then less. Returns the flags it took,
     * -1 when it took none.
     */
    private static int setOffloads(int fd) {
        int tso = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
        for (int flags : new int[] {tso | TUN_F_USO4 | TUN_F_USO6, tso, TUN_F_CSUM}) {
            try {
                Libc.ioctl(fd, TUNSETOFFLOAD, flags);
                return flags;
            } catch (OsException e) {
                // EINVAL: the kernel lacks one of the flags; try fewer
            }
        }
        return -1;
    }

    /** The offload flags as the log and {@link #offloads()} name them. */
    private static String describeOffloads(int flags) {
        if (flags < 0) {
            return "none (TUNSETOFFLOAD refused)";
        }
        StringJoiner names = new StringJoiner(", ");
        int[] bits = {TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_TSO_ECN, TUN_F_USO4, TUN_F_USO6};
        String[] labels = {"checksum", "TSO4", "TSO6", "TSO-ECN", "USO4", "USO6"};
        for (int i = 0; i < bits.length; i++) {
            if ((flags & bits[i]) != 0) {
                names.add(labels[i]);
            }
        }
        return names.toString();
    }

    /** For tests: a device over any packet fd (e.g. one end of an AF_UNIX SOCK_SEQPACKET pair). Takes the fd. */
    static LinuxTunDevice wrap(int fd, String name, DeviceType type) throws IOException {
        return wrap(fd, name, type, false);
    }

    /**
     * A device over any packet fd whose peer speaks virtio_net_hdr when {@code vnetHdr} (as the kernel does with
     * offloads on): for tests and for the start-up warm-up, which drive the offload paths without a tun device.
     */
    public static LinuxTunDevice wrap(int fd, String name, DeviceType type, boolean vnetHdr) throws IOException {
        return new LinuxTunDevice(fd, Waker.open(), name, type, vnetHdr,
                vnetHdr, vnetHdr, vnetHdr ? "test" : "none");
    }

    @Override
    public int pollFd() {
        return fd;
    }

    /** Whether packets carry a virtio_net_hdr on the fd (offloads negotiated). */
    public boolean vnetHdr() {
        return vnetHdr;
    }

    /** What {@code TUNSETOFFLOAD} gave, for the log. */
    public String offloads() {
        return offloads;
    }

    @Override
    public String describe() {
        return name + " offloads " + offloads;
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
        return BATCH;
    }

    /** Whether {@link #close} has been called. */
    public boolean isClosed() {
        return (state.get() & 1) != 0;
    }

    /**
     * Waits up to {@code timeoutMillis} (negative: without limit) for packets and reads up to {@code bufs.length} of
     * them, the i-th into {@code bufs[i]} at {@code offset}, without waiting again once one has arrived. A packet
     * longer than the room after {@code offset} is cut (without offloads: by the kernel) or dropped (a segment of a
     * large one), so leave room for the MTU. Returns 0 on timeout or EINTR/EAGAIN, -1 once closed.
     */
    @Override
    public int read(byte[][] bufs, int[] sizes, int offset, int timeoutMillis) throws IOException {
        if (!enter()) {
            return -1;
        }
        try {
            int n = 0;
            int max = bufs.length;
            while (n < max) {
                if (vnetHdr && splitter.hasMore()) {
                    int len = splitter.next(bufs[n], offset);
                    if (len >= 0) {
                        sizes[n++] = len;
                    } else {
                        truncated++;
                    }
                    continue;
                }
                if (!mayRead) {
                    if (n > 0) {
                        break;
                    }
                    if (timeoutMillis == 0) {
                        mayRead = true; // no waiting: just try
                        continue;
                    }
                    int ready = readPoll.poll(timeoutMillis);
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
                    if (ready == 0 || !readPoll.ready(0)) {
                        return 0;
                    }
                    mayRead = true;
                }
                byte[] buf = vnetHdr ? readLarge : bufs[n];
                int at = vnetHdr ? 0 : offset;
                int r = Libc.read(readState, fd, buf, at, buf.length - at);
                if (r < 0) {
                    int errno = readState.errno();
                    if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
                        mayRead = false;
                        if (n == 0) {
                            return 0;
                        }
                        break;
                    }
                    throw new OsException("read from " + name, errno);
                }
                if (r == 0) {
                    mayRead = false; // a tun fd never yields an empty packet; a test socket does at EOF
                    break;
                }
                if (vnetHdr) {
                    splitter.begin(readLarge, 0, r); // a malformed one is counted and skipped
                } else {
                    sizes[n++] = r;
                }
            }
            return n;
        } finally {
            leave();
        }
    }

    /**
     * Waits up to {@code timeoutMillis} until a packet can be read: 1 when one can, 0 on timeout, -1 once closed.
     * May run on one thread while another calls {@link #read} with timeout 0.
     */
    @Override
    public int await(int timeoutMillis) throws IOException {
        if (!enter()) {
            return -1;
        }
        try {
            int ready = awaitPoll.poll(timeoutMillis);
            if (ready < 0) {
                int errno = awaitState.errno();
                if (errno == Libc.EINTR) {
                    return 0;
                }
                throw new OsException("poll on " + name, errno);
            }
            if (isClosed()) {
                return -1;
            }
            return ready > 0 && awaitPoll.ready(0) ? 1 : 0;
        } finally {
            leave();
        }
    }

    @Override
    public long readDrops() {
        return truncated + (splitter == null ? 0 : splitter.malformed);
    }

    /**
     * Writes every packet, even after one fails (e.g. EINVAL for a malformed packet, EIO when the device is down),
     * then throws one {@link PartialWriteException} carrying the first failure's errno and how many failed, for the
     * caller to count. With offloads
     * the 10 bytes before each packet are overwritten with its virtio_net_hdr, and TCP segments may be merged.
     */
    @Override
    public void write(byte[][] bufs, int[] offsets, int[] sizes, int count) throws IOException {
        if (!enter()) {
            throw new OsException("write to " + name + " (device closed)", Libc.EBADF);
        }
        failed = 0;
        firstErrno = 0;
        try {
            if (!vnetHdr) {
                for (int i = 0; i < count; i++) {
                    writeOne(bufs[i], offsets[i], sizes[i], 1);
                }
            } else if (coalescer == null) {
                for (int i = 0; i < count; i++) {
                    writeWithHeader(bufs[i], offsets[i], sizes[i]);
                }
            } else {
                for (int start = 0; start < count; start += BATCH) {
                    writeMerged(bufs, offsets, sizes, start, Math.min(BATCH, count - start));
                }
            }
        } finally {
            leave();
        }
        if (failed > 0) {
            throw new PartialWriteException("write to " + name + " (" + failed + " of " + count + " packets failed)",
                    firstErrno, Math.min(failed, count));
        }
    }

    private int failed;
    private int firstErrno;
    private final byte[][] subBufs = new byte[BATCH][];
    private final int[] subOffsets = new int[BATCH];
    private final int[] subSizes = new int[BATCH];

    private void writeMerged(byte[][] bufs, int[] offsets, int[] sizes, int start, int count) {
        byte[][] b = bufs;
        int[] o = offsets;
        int[] z = sizes;
        if (start != 0) {
            System.arraycopy(bufs, start, subBufs, 0, count);
            System.arraycopy(offsets, start, subOffsets, 0, count);
            System.arraycopy(sizes, start, subSizes, 0, count);
            b = subBufs;
            o = subOffsets;
            z = subSizes;
        }
        int units = coalescer.plan(b, o, z, count);
        for (int u = 0; u < units; u++) {
            if (coalescer.merged(u)) {
                int len = coalescer.build(u, b, o, writeLarge);
                writeOne(writeLarge, 0, len, coalescer.count(u));
            } else {
                int i = coalescer.first(u);
                writeWithHeader(b[i], o[i], z[i]);
            }
        }
        if (start != 0) {
            java.util.Arrays.fill(subBufs, 0, count, null);
        }
    }

    /** One packet with complete checksums: an all-zero virtio_net_hdr in the 10 bytes before it (or a copy). */
    private void writeWithHeader(byte[] buf, int off, int len) {
        if (off >= VirtioNetHdr.LENGTH) {
            VirtioNetHdr.clear(buf, off - VirtioNetHdr.LENGTH);
            writeOne(buf, off - VirtioNetHdr.LENGTH, len + VirtioNetHdr.LENGTH, 1);
        } else {
            VirtioNetHdr.clear(writeLarge, 0);
            System.arraycopy(buf, off, writeLarge, VirtioNetHdr.LENGTH, len);
            writeOne(writeLarge, 0, len + VirtioNetHdr.LENGTH, 1);
        }
    }

    private void writeOne(byte[] buf, int off, int len, int packets) {
        int n = Libc.write(writeState, fd, buf, off, len);
        if (n < 0 && writeState.errno() == Libc.EINTR) {
            n = Libc.write(writeState, fd, buf, off, len);
        }
        if (n < 0) {
            if (failed == 0) {
                firstErrno = writeState.errno();
            }
            failed += packets;
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
        wake.wake(new Libc.CallState());
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
            wake.close();
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
