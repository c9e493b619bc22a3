package org.janytun.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import org.janytun.os.Libc;
import org.janytun.os.PollSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects sealed datagrams and sends them with as few system calls as the kernel allows, for one thread:
 * consecutive datagrams to the same endpoint with the same length (the last one may be shorter) become one
 * message with {@code UDP_SEGMENT} (UDP GSO: the kernel cuts it into the same datagrams, once through the stack),
 * and all messages of a batch go out in one {@code sendmmsg}. Without GSO each datagram is its own message. The
 * datagrams on the wire are exactly those {@link #add}ed, in order.
 *
 * <p>Copies each datagram into native memory (sendmmsg takes addresses). Allocation-free.
 */
final class BatchSender implements DatagramSender {
    private static final Logger log = LoggerFactory.getLogger(BatchSender.class);
    private static final int SLOT = 2048;
    private static final int CONTROL = 24;            // CMSG_SPACE(sizeof(uint16_t))
    private static final int MAX_SEGMENTS = 64;       // UDP_MAX_SEGMENTS of older kernels
    private static final int MAX_GSO_BYTES = 65000;   // a GSO send must fit one IP datagram
    private static final int RETRIES = 20;

    private final BatchSocket socket;
    private final int capacity;
    private final MemorySegment data;
    private final MemorySegment iovs;
    private final MemorySegment msgs;
    private final MemorySegment names;
    private final MemorySegment controls;
    private final PollSet writable;
    private final MemorySegment[] msgAt; // msgs from message k on: sendmmsg's argument without a slice per call
    private final Libc.CallState st = new Libc.CallState();
    // per datagram
    private final int[] lengths;
    private final InetSocketAddress[] destinations;
    private int count;
    // per message
    private final int[] msgFirst;
    private final int[] msgCount;
    // the last destination and its encoding
    private InetSocketAddress lastDestination;
    private final MemorySegment lastName;
    private int lastNameLength;
    private int sendFailures;

    BatchSender(BatchSocket socket, int capacity) {
        this.socket = socket;
        this.capacity = capacity;
        Arena arena = Arena.ofAuto();
        data = arena.allocate((long) SLOT * capacity, 64);
        iovs = arena.allocate(16L * capacity, 8);
        msgs = arena.allocate((long) BatchReceiver.MMSGHDR * capacity, 8);
        names = arena.allocate((long) SockAddr.SIZE * capacity, 8);
        controls = arena.allocate((long) CONTROL * capacity, 8);
        lastName = arena.allocate(SockAddr.SIZE, 8);
        writable = new PollSet(1, st);
        writable.add(socket.fd(), Libc.POLLOUT);
        lengths = new int[capacity];
        destinations = new InetSocketAddress[capacity];
        msgFirst = new int[capacity];
        msgCount = new int[capacity];
        msgAt = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) {
            iovs.set(JAVA_LONG, 16L * i, data.address() + (long) i * SLOT);
            msgAt[i] = msgs.asSlice((long) i * BatchReceiver.MMSGHDR);
        }
    }

    @Override
    public int send(DatagramBatch batch) {
        sendFailures = 0;
        for (int i = 0; i < batch.count(); i++) {
            if (count == capacity) {
                flush();
            }
            add(batch.buf(i), batch.length(i), batch.address(i));
        }
        flush();
        return sendFailures;
    }

    /** Queues {@code buf[0, length)} for {@code to}; one that cannot be encoded counts as a send failure. */
    private void add(byte[] buf, int length, InetSocketAddress to) {
        if (length > SLOT) {
            sendFailures++;
            return;
        }
        if (to != lastDestination) {
            int len = SockAddr.encode(to, socket.ipv6(), lastName, 0);
            if (len < 0) {
                lastDestination = null; // lastName no longer holds its encoding
                sendFailures++; // e.g. IPv6 on an IPv4 socket
                return;
            }
            lastDestination = to;
            lastNameLength = len;
        }
        MemorySegment.copy(buf, 0, data, JAVA_BYTE, (long) count * SLOT, length);
        lengths[count] = length;
        destinations[count] = to;
        count++;
    }

    /** Sends everything queued. */
    private void flush() {
        if (count == 0) {
            return;
        }
        int m = 0;
        int i = 0;
        while (i < count) {
            boolean gso = socket.gso();
            int len = lengths[i];
            int n = 1;
            int bytes = len;
            if (gso) {
                while (i + n < count && n < MAX_SEGMENTS && sameDestination(destinations[i + n], destinations[i])
                        && lengths[i + n] <= len && bytes + lengths[i + n] <= MAX_GSO_BYTES) {
                    bytes += lengths[i + n];
                    n++;
                    if (lengths[i + n - 1] < len) {
                        break; // a shorter datagram ends the run
                    }
                }
            }
            buildMessage(m, i, n, len);
            m++;
            i += n;
        }
        sendAll(m);
        java.util.Arrays.fill(destinations, 0, count, null);
        count = 0;
    }

    private static boolean sameDestination(InetSocketAddress a, InetSocketAddress b) {
        return a == b || a.equals(b);
    }

    private void buildMessage(int m, int first, int n, int segment) {
        msgFirst[m] = first;
        msgCount[m] = n;
        long h = (long) m * BatchReceiver.MMSGHDR;
        long name = (long) m * SockAddr.SIZE;
        // every datagram of a message has one destination: encode it from the datagram's own address
        InetSocketAddress to = destinations[first];
        if (to == lastDestination) {
            MemorySegment.copy(lastName, 0, names, name, SockAddr.SIZE);
            msgs.set(JAVA_INT, h + 8, lastNameLength);
        } else {
            msgs.set(JAVA_INT, h + 8, SockAddr.encode(to, socket.ipv6(), names, name));
        }
        msgs.set(JAVA_LONG, h, names.address() + name);
        for (int k = 0; k < n; k++) {
            iovs.set(JAVA_LONG, 16L * (first + k) + 8, lengths[first + k]);
        }
        msgs.set(JAVA_LONG, h + 16, iovs.address() + 16L * first);
        msgs.set(JAVA_LONG, h + 24, n);
        if (n > 1) {
            long c = (long) m * CONTROL;
            controls.set(JAVA_LONG, c, 18);                 // CMSG_LEN(sizeof(uint16_t))
            controls.set(JAVA_INT, c + 8, Libc.SOL_UDP);
            controls.set(JAVA_INT, c + 12, Libc.UDP_SEGMENT);
            controls.set(JAVA_SHORT, c + 16, (short) segment);
            msgs.set(JAVA_LONG, h + 32, controls.address() + c);
            msgs.set(JAVA_LONG, h + 40, CONTROL);
        } else {
            msgs.set(JAVA_LONG, h + 32, 0);
            msgs.set(JAVA_LONG, h + 40, 0);
        }
        msgs.set(JAVA_INT, h + 48, 0);
    }

    /** Sends messages [0, m) with as few sendmmsg as the kernel allows, retrying what it did not take. */
    private void sendAll(int m) {
        int k = 0;
        int retries = 0;
        while (k < m) {
            int sent = Libc.sendmmsg(st, socket.fd(), msgAt[k], m - k, 0);
            if (sent > 0) {
                k += sent;
                retries = 0;
                continue;
            }
            int errno = st.errno();
            if (sent == 0 || errno == Libc.EINTR) {
                continue;
            }
            if (errno == Libc.EAGAIN && retries++ < RETRIES) {
                waitWritable();
                continue;
            }
            if ((errno == Libc.EIO || errno == Libc.EINVAL) && msgCount[k] > 1) {
                if (errno == Libc.EIO && socket.gso()) {
                    socket.disableGso(); // as wireguard-go: EIO means the device cannot segment
                    log.info("UDP GSO refused by the kernel (EIO): sending datagram by datagram");
                }
                resendOneByOne(k);
                k++;
                continue;
            }
            sendFailures += msgCount[k]; // e.g. ENETUNREACH: drop this message, go on with the next
            k++;
            retries = 0;
        }
    }

    /** Sends the datagrams of message {@code k} as separate messages (after the kernel refused the segmentation). */
    private void resendOneByOne(int k) {
        int first = msgFirst[k];
        int n = msgCount[k];
        long h = (long) k * BatchReceiver.MMSGHDR;
        long name = msgs.get(JAVA_LONG, h);
        int nameLength = msgs.get(JAVA_INT, h + 8);
        for (int j = 0; j < n; j++) {
            msgs.set(JAVA_LONG, h, name);
            msgs.set(JAVA_INT, h + 8, nameLength);
            msgs.set(JAVA_LONG, h + 16, iovs.address() + 16L * (first + j));
            msgs.set(JAVA_LONG, h + 24, 1);
            msgs.set(JAVA_LONG, h + 32, 0);
            msgs.set(JAVA_LONG, h + 40, 0);
            int sent;
            int tries = 0;
            do {
                sent = Libc.sendmmsg(st, socket.fd(), msgAt[k], 1, 0);
            } while (sent < 0 && (st.errno() == Libc.EINTR || st.errno() == Libc.EAGAIN && tries++ < RETRIES
                    && waitWritable()));
            if (sent != 1) {
                sendFailures++;
            }
        }
    }

    private boolean waitWritable() {
        writable.poll(100);
        return true;
    }
}
