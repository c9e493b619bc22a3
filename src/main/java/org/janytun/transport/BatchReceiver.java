package org.janytun.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import org.janytun.os.Libc;
import org.janytun.os.OsException;
import org.janytun.os.PollSet;

/**
 * Receives up to N messages per system call with {@code recvmmsg} into native buffers, for one thread. With UDP GRO
 * one message may hold several datagrams of {@link #segmentSize} bytes back to back (the last may be shorter); they
 * are handed out one by one, each copied into its own heap buffer of the batch (the crypto runs fastest on heap
 * arrays). What does not fit one batch waits for the next call ({@link #pending}).
 *
 * <p>Waiting happens in poll(2) on the socket, and only after a receive found nothing, so under
 * load it is one system call per batch. Allocation-free, except when a message comes from a new source address.
 */
final class BatchReceiver implements DatagramReceiver {
    static final int MMSGHDR = 64;    // struct mmsghdr on LP64: msghdr (56) + msg_len (4) + padding
    private static final int CONTROL = 64;
    private static final int MSG_TRUNC = 0x20;
    /** The largest datagram the kernel may coalesce with UDP GRO. */
    static final int GRO_SLOT = 65536;

    /** Keeps the channel, and with it the fd, reachable: the JDK closes a channel's fd when it is collected. */
    private final BatchSocket socket;
    private final int fd;
    private final int messages;
    /** The link this socket is, for the datagrams' {@link DatagramBatch#link}. */
    private final int link;
    private final int slot;
    private final boolean gro;
    private final MemorySegment msgs;
    private final MemorySegment names;
    private final MemorySegment controls;
    private final MemorySegment data;
    private final PollSet pollSet;
    private final Libc.CallState st = new Libc.CallState();
    private boolean mayRead;
    // messages of the last recvmmsg not yet handed out: [message, received), from byte position of message
    private int received;
    private int message;
    private int position;
    // the last source address and its decoded form: peers rarely move, so decoding (which allocates) is rare
    private final MemorySegment lastRaw;
    private int lastRawLength = -1;
    private InetSocketAddress lastSource;

    BatchReceiver(BatchSocket socket, int messages, int link) {
        this.link = link;
        this.socket = socket;
        this.fd = socket.fd();
        this.gro = socket.gro();
        this.messages = messages;
        this.slot = gro ? GRO_SLOT : 2048;
        Arena arena = Arena.ofAuto();
        msgs = arena.allocate((long) MMSGHDR * messages, 8);
        MemorySegment iovs = arena.allocate(16L * messages, 8);
        names = arena.allocate((long) SockAddr.SIZE * messages, 8);
        controls = arena.allocate((long) CONTROL * messages, 8);
        data = arena.allocate((long) slot * messages, 64);
        lastRaw = arena.allocate(SockAddr.SIZE, 8);
        pollSet = new PollSet(1, st);
        for (int i = 0; i < messages; i++) {
            long m = (long) i * MMSGHDR;
            iovs.set(JAVA_LONG, 16L * i, data.address() + (long) i * slot);
            iovs.set(JAVA_LONG, 16L * i + 8, slot);
            msgs.set(JAVA_LONG, m, names.address() + (long) i * SockAddr.SIZE);
            msgs.set(JAVA_LONG, m + 16, iovs.address() + 16L * i);
            msgs.set(JAVA_LONG, m + 24, 1);
            msgs.set(JAVA_LONG, m + 32, controls.address() + (long) i * CONTROL);
        }
        pollSet.addReadable(fd);
    }

    @Override
    public int receive(DatagramBatch batch, int timeoutMillis) throws OsException {
        batch.clear();
        return fill(batch, timeoutMillis);
    }

    /** Like {@link #receive}, but appends to what {@code batch} holds; returns its count. */
    int fill(DatagramBatch batch, int timeoutMillis) throws OsException {
        if (batch.full()) {
            return batch.count();
        }
        if (message == received) {
            received = receiveMessages(timeoutMillis);
            message = 0;
            position = 0;
        }
        while (message < received) {
            int length = length(message);
            InetSocketAddress from = source(message);
            if (truncated(message) || length == 0) {
                if (batch.nextBuffer() == null) {
                    break;
                }
                batch.received(length == 0 ? 0 : DatagramBatch.TRUNCATED, from, link);
                message++;
                continue;
            }
            int segment = segmentSize(message);
            while (position < length) {
                byte[] buf = batch.nextBuffer();
                if (buf == null) {
                    return batch.count(); // the rest of this message waits for the next call
                }
                int n = Math.min(segment, length - position);
                if (n > buf.length) {
                    batch.received(DatagramBatch.TRUNCATED, from, link);
                } else {
                    MemorySegment.copy(data, JAVA_BYTE, (long) message * slot + position, buf, 0, n);
                    batch.received(n, from, link);
                }
                position += segment;
            }
            message++;
            position = 0;
        }
        return batch.count();
    }

    @Override
    public boolean pending() {
        return message < received;
    }

    /**
     * Waits up to {@code timeoutMillis} for datagrams (only when the last receive drained the socket) and receives
     * what is there, up to the batch size. Returns the number of messages, or 0 on timeout.
     */
    private int receiveMessages(int timeoutMillis) throws OsException {
        if (!mayRead && timeoutMillis != 0) { // with 0 the caller has polled: just look
            int ready = pollSet.poll(timeoutMillis);
            if (ready < 0) {
                if (st.errno() == Libc.EINTR) {
                    return 0;
                }
                throw new OsException("poll on a UDP socket", st.errno());
            }
            if (ready == 0) {
                return 0;
            }
            mayRead = true;
        }
        for (int i = 0; i < messages; i++) {
            long m = (long) i * MMSGHDR;
            msgs.set(JAVA_INT, m + 8, SockAddr.SIZE);
            msgs.set(JAVA_LONG, m + 40, CONTROL);
            msgs.set(JAVA_INT, m + 48, 0);
        }
        int n = Libc.recvmmsg(st, fd, msgs, messages, Libc.MSG_DONTWAIT);
        if (n < 0) {
            mayRead = false;
            int errno = st.errno();
            if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
                return 0;
            }
            throw new OsException("recvmmsg", errno);
        }
        if (n < messages) {
            mayRead = false; // drained, most likely: wait in poll next time
        }
        return n;
    }

    @Override
    public int[] pollFds() {
        return new int[] {fd};
    }

    /** Bytes in message {@code i}: one datagram, or with GRO several of {@link #segmentSize} bytes. */
    /** The socket's fd. */
    int fd() {
        return fd;
    }

    int length(int i) {
        return msgs.get(JAVA_INT, (long) i * MMSGHDR + 56);
    }

    /** Whether message {@code i} was longer than the buffer (its end is lost). */
    boolean truncated(int i) {
        return (msgs.get(JAVA_INT, (long) i * MMSGHDR + 48) & MSG_TRUNC) != 0;
    }

    /** The size of each datagram in message {@code i} (UDP GRO), else its whole length. */
    int segmentSize(int i) {
        int length = length(i);
        if (!gro) {
            return length;
        }
        long controlLength = msgs.get(JAVA_LONG, (long) i * MMSGHDR + 40);
        long base = (long) i * CONTROL;
        long pos = 0;
        while (pos + 16 <= controlLength) {
            long len = controls.get(JAVA_LONG, base + pos);
            int level = controls.get(JAVA_INT, base + pos + 8);
            int type = controls.get(JAVA_INT, base + pos + 12);
            if (len < 16 || pos + len > controlLength) {
                break;
            }
            if (level == Libc.SOL_UDP && type == Libc.UDP_GRO && len >= 20) {
                int size = controls.get(JAVA_INT, base + pos + 16);
                return size > 0 && size < length ? size : length;
            }
            pos += (len + 7) & ~7L;
        }
        return length;
    }

    /** Where message {@code i} came from; the same object as long as the source does not change. */
    InetSocketAddress source(int i) {
        long off = (long) i * SockAddr.SIZE;
        int len = Math.min(msgs.get(JAVA_INT, (long) i * MMSGHDR + 8), SockAddr.SIZE);
        if (len == lastRawLength && MemorySegment.mismatch(names, off, off + len, lastRaw, 0, len) < 0) {
            return lastSource;
        }
        InetSocketAddress a = SockAddr.decode(names, off);
        if (a != null) {
            MemorySegment.copy(names, off, lastRaw, 0, len);
            lastRawLength = len;
            lastSource = a;
        }
        return a;
    }
}
