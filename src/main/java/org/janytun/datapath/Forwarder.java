package org.janytun.datapath;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.janytun.address.InetText;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.connection.TrafficCounters;
import org.janytun.device.LinuxTunDevice;
import org.janytun.device.PartialWriteException;
import org.janytun.device.TunDevice;
import org.janytun.os.Libc;
import org.janytun.os.OsException;
import org.janytun.os.PollSet;
import org.janytun.os.Waker;
import org.janytun.session.DropReason;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.transport.BatchReceiver;
import org.janytun.transport.BatchSender;
import org.janytun.transport.BatchSocket;
import org.janytun.transport.UdpTransport;
import org.janytun.wire.SatpLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data path, on platform threads (blocking FFM calls would pin virtual ones), one per direction and batch-first:
 *
 * <pre>
 *   device ──read ≤64──▶ pick connection ──seal each──▶ sendmmsg (UDP GSO runs)        (thread "janytun-device")
 *   device ◀─write (TCP runs merged)── open each ◀── by mux ◀── recvmmsg (UDP GRO)    (thread "janytun-udp-N" per socket)
 * </pre>
 *
 * With a tun opened with offloads the device hands over 64 KiB TCP segments already cut into MTU-sized packets
 * and merges consecutive ones on write (see {@link LinuxTunDevice}); the UDP side moves up to 64 datagrams per
 * system call ({@link BatchSender}, {@link BatchReceiver}). Where the sockets do not allow batching, the loops run one
 * datagram at a time on the {@link DatagramChannel}s. Each SATP datagram is sealed and opened one by one in order,
 * so the wire carries exactly what a one-packet-at-a-time sender sends.
 *
 * <p><b>One thread at low rates, two under load.</b> While traffic is light the receiving thread also reads and
 * sends what the device has (it waits in poll on both), like a single-threaded daemon: a ping or a TCP ACK crosses
 * no thread hand-off. When a device read returns a large batch the device thread takes the send side over, so that
 * both directions use a core each, and gives it back when its traffic falls off (see "Who sends" below). While
 * traffic is sparse, that thread polls for 200 µs after each packet before it sleeps again, so that an answer
 * finds it awake (see {@code spinNanos}).
 *
 * <p>A connection's remote endpoint starts as configured (or unknown) and moves to the source of a packet that
 * passed its tag and sequence window and is newer than any before it from its sender, never to that of an
 * unauthenticated or replayed one (SPEC §11). Each loop owns its
 * buffers and allocates nothing per packet; the connection table is swapped whole, so the loops never lock.
 */
public final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    private static final int DEVICE_POLL_MILLIS = 250;
    private static final long ENDPOINT_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final TunDevice device;
    private final UdpTransport transport;
    private volatile ConnectionTable table;
    private volatile Consumer<Connection> endpointListener;
    private final DropCounter drops;
    private final Runnable onFatal;
    /** Makes the loops' threads, given a short name ("device", "udp-0"): a warm-up copy makes them nice. */
    private final BiFunction<String, Runnable, Thread> threads;
    private final List<Thread> started = new ArrayList<>();
    private String description = "not started";
    private final LongAdder endpointChangesNotLogged = new LongAdder();
    private volatile boolean running;
    /** Wakes the UDP receive loops when closing (they wait in poll on their socket and this eventfd). */
    private Waker stop;
    private SendPath sendPath;

    /** The whole data path's: "in" is what was written to the device, "out" what the socket took. */
    private final TrafficCounters counters = new TrafficCounters();

    /**
     * @param onFatal called once when the device fails for good: the daemon then stops, rather than run on
     *                with a dead tunnel
     */
    public Forwarder(TunDevice device, UdpTransport transport, ConnectionTable table, DropCounter drops,
                     Runnable onFatal) {
        this(device, transport, table, drops, onFatal,
                (name, body) -> Thread.ofPlatform().name("janytun-" + name).daemon().unstarted(body));
    }

    /** @param threads makes the loops' platform threads (blocking FFM calls would pin virtual ones) */
    public Forwarder(TunDevice device, UdpTransport transport, ConnectionTable table, DropCounter drops,
                     Runnable onFatal, BiFunction<String, Runnable, Thread> threads) {
        this.device = device;
        this.transport = transport;
        this.table = table;
        this.drops = drops;
        this.onFatal = onFatal;
        this.threads = threads;
        this.spinNanos = Math.max(0, Long.getLong("janytun.spin-us", 200)) * 1000L;
    }

    /** The data path's global counters (each connection has its own: {@link Connection#counters()}). */
    public TrafficCounters counters() {
        return counters;
    }

    public ConnectionTable table() {
        return table;
    }

    /** Publishes a new set of connections and routes; packets in flight finish with the old one. */
    public void setTable(ConnectionTable t) {
        table = t;
    }

    /** Told (on a packet thread: it must not block) whenever a connection's endpoint moves. */
    public void onEndpointChange(Consumer<Connection> listener) {
        endpointListener = listener;
    }

    public void start() {
        running = true;
        List<BatchSocket> batch = transport.batchSockets();
        if (!batch.isEmpty()) {
            try {
                stop = Waker.open();
                kickReceiver = Waker.open();
                kickDevice = Waker.open();
            } catch (OsException e) {
                closeEventFds();
                batch = List.of(); // no eventfds: the JDK path, whose close wakes its readers
            }
        }
        if (batch.isEmpty()) {
            started.add(threads.apply("device", this::deviceToNetwork));
            List<DatagramChannel> sockets = transport.sockets();
            for (int i = 0; i < sockets.size(); i++) {
                DatagramChannel socket = sockets.get(i);
                started.add(threads.apply("udp-" + i, () -> networkToDevice(socket)));
            }
        } else {
            tunFd = device instanceof LinuxTunDevice l ? l.fileDescriptor() : -1;
            txMode = tunFd >= 0 ? TX_SHARED : TX_DEDICATED;
            sendPath = new SendPath(transport.newSender(Math.max(1, device.batchSize())));
            started.add(threads.apply("device", this::deviceLoop));
            for (int i = 0; i < batch.size(); i++) {
                BatchSocket socket = batch.get(i);
                boolean primary = i == 0;
                started.add(threads.apply("udp-" + i, () -> receiveLoop(socket, primary)));
            }
        }
        String deviceInfo = device instanceof LinuxTunDevice l ? "offloads " + l.offloads() : "no offloads";
        description = device.name() + " " + deviceInfo + ", batches of " + device.batchSize() + "; UDP "
                + (batch.isEmpty() ? "one datagram per system call (DatagramChannel)" : batch.getFirst());
        started.forEach(Thread::start);
    }

    /** What {@link #start} set up, for the log: device offloads, batch size, how UDP is read and written. */
    public String description() {
        return description;
    }

    /** Between {@link #start} and {@link #close}. */
    public boolean running() {
        return running;
    }

    // ---- batched path -------------------------------------------------------------------------------------------
    //
    // Who sends. At low rates one thread does everything, as a single-threaded daemon would: the receiving thread
    // ("udp-0") waits in poll on its socket and on the device and handles both directions (TX_SHARED). Every hand-off
    // between threads costs a wake-up, and on this kind of VM a wake-up on the other, idle, vCPU costs ~50-150 µs: a
    // ping through two daemons measured 0.4 ms with a thread per direction against 0.2 ms with all on one CPU. Once a
    // read from the device returns a large batch (a bulk transfer), the device thread takes the send side over
    // (TX_DEDICATED) so that both directions run in parallel, until its traffic falls below ~5,000 packets/s.
    // The send side belongs to whoever holds sendBusy (a compare-and-set per batch), so seal keeps its single-thread
    // contract and the datagrams leave in the order they were read.

    private static final int TX_SHARED = 0;
    private static final int TX_DEDICATED = 1;
    /** A device read this large hands the send side to the device thread. */
    private static final int ESCALATE_BATCH = 32;
    private static final long DEDICATED_WINDOW_NANOS = 50_000_000L;
    private static final int DEDICATED_MIN_PACKETS = 256; // per window: below ~5,000 packets/s go back to shared
    /**
     * How long the receiving thread, while it handles both directions, keeps polling without sleeping after it
     * handled traffic ({@code -Djanytun.spin-us}, 0 = never). A round trip through two daemons wakes four sleeping
     * threads, and on a VM a wake-up costs tens of µs; a request's answer usually comes back within this window, so
     * it finds the thread awake. Only while traffic is sparse (see armSpin): at most ~16 % of a core, nothing under load.
     */
    private final long spinNanos;
    private static final long SPIN_RATE_WINDOW_NANOS = 10_000_000L;
    private static final int SPIN_MAX_STEPS = 8;
    private volatile int txMode = TX_DEDICATED;
    private int tunFd = -1;
    /** Eventfds: tells the receiving thread to look at txMode again, and the device thread likewise. */
    private Waker kickReceiver;
    private Waker kickDevice;
    private final AtomicBoolean fatal = new AtomicBoolean();

    /** The send direction's buffers; used by the thread that holds {@link #busy}. */
    private final class SendPath {
        final byte[][] bufs;
        final int[] sizes;
        final BatchSender sender;
        final AtomicBoolean busy = new AtomicBoolean();
        final Sealed sealed = new Sealed();

        SendPath(BatchSender sender) {
            int batch = sender.capacity();
            this.bufs = new byte[batch][SatpLayout.BUFFER_SIZE];
            this.sizes = new int[batch];
            this.sender = sender;
        }

        /** Reads what the device has without waiting, seals and sends it; the number read, or -1 once closed. */
        int drain() throws IOException {
            int n = device.read(bufs, sizes, SatpLayout.INNER_OFFSET, 0);
            if (n > 0) {
                sealAndSend(n);
            }
            return n;
        }

        private void sealAndSend(int n) {
            int queued = 0;
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                byte[] buf = bufs[i];
                int length = seal(buf, sizes[i], sealed);
                if (length < 0) {
                    continue;
                }
                if (sender.full()) {
                    sender.flush();
                }
                sender.add(buf, length, sealed.to);
                queued++;
                bytes += length;
            }
            sender.flush();
            long failed = sender.takeSendFailures();
            for (long f = 0; f < failed; f++) {
                drops.count(DropReason.SEND_FAILED);
            }
            // the failed ones' sizes are not known: the bytes count the batch's average size per datagram sent
            counters.sent(queued - failed, queued == 0 ? 0 : bytes - bytes * failed / queued);
        }
    }

    /** Where {@link #seal} leaves the destination of the datagram it sealed; one per sending loop. */
    private static final class Sealed {
        InetSocketAddress to;
        final PacketResult result = new PacketResult();
    }

    /**
     * Picks the connection for the inner packet at {@code buf[INNER_OFFSET, INNER_OFFSET + innerLength)} and seals
     * it in place: the datagram length, its destination in {@code out}; or -1 when it is dropped (counted). For both
     * sending loops, the batched one and the one datagram at a time.
     */
    private int seal(byte[] buf, int innerLength, Sealed out) {
        ConnectionTable t = table;
        Connection c = t.forOutgoing(buf, innerLength);
        if (c == null) {
            drops.count(t.isEmpty() ? DropReason.NO_CONNECTION : DropReason.NO_ROUTE);
            return -1;
        }
        InetSocketAddress to = c.remote();
        if (to == null) {
            drops.count(DropReason.NO_REMOTE); // the sequence number is not used up (SPEC §8)
            c.counters().dropped(DropReason.NO_REMOTE, 1);
            return -1;
        }
        if (!c.session().seal(buf, innerLength, out.result)) {
            drops.count(out.result.drop());
            c.counters().dropped(out.result.drop(), 1);
            return -1;
        }
        out.to = to;
        c.counters().sent(1, out.result.datagramLength());
        return out.result.datagramLength();
    }

    /** Counts the outcome of an open for the connection and the drop log; whether to deliver the packet. */
    private boolean countOpened(Connection c, boolean deliver, PacketResult r, long nanos) {
        if (deliver) {
            c.counters().received(1, r.innerLength(), nanos);
            return true;
        }
        c.counters().dropped(r.drop(), 1);
        drops.count(r.drop());
        return false;
    }

    private void deviceFailed(IOException e) {
        if (running && fatal.compareAndSet(false, true)) {
            log.error("reading from device {} failed, stopping: {}", device.name(), e.getMessage());
            running = false;
            onFatal.run();
        }
    }

    private void deviceLoop() {
        SendPath p = sendPath;
        int batch = p.bufs.length;
        Libc.CallState st = new Libc.CallState();
        PollSet parked = new PollSet(2, st);
        parked.addReadable(kickDevice.fd());
        parked.addReadable(stop.fd());
        long windowStart = System.nanoTime();
        int windowPackets = 0;
        while (running) {
            try {
                if (txMode == TX_SHARED) {
                    parked.poll(DEVICE_POLL_MILLIS); // the receiving thread sends; wait to be asked
                    kickDevice.drain(st);
                    windowStart = System.nanoTime();
                    windowPackets = 0;
                    continue;
                }
                int ready = device.await(tunFd >= 0 ? 50 : DEVICE_POLL_MILLIS);
                if (ready < 0) {
                    break;
                }
                if (ready > 0) {
                    while (!p.busy.compareAndSet(false, true)) {
                        Thread.onSpinWait(); // the receiving thread is sending one batch; it never waits on us
                    }
                    try {
                        int n;
                        do {
                            n = p.drain();
                            windowPackets += Math.max(n, 0);
                        } while (n == batch && running);
                        if (n < 0) {
                            break;
                        }
                    } finally {
                        p.busy.set(false);
                    }
                }
                long now = System.nanoTime();
                if (tunFd >= 0 && (ready == 0 || now - windowStart > DEDICATED_WINDOW_NANOS)) {
                    if (ready == 0 || windowPackets < DEDICATED_MIN_PACKETS) {
                        txMode = TX_SHARED; // back to one thread; the receiving thread polls the device again
                        kickReceiver.wake(st);
                    }
                    windowStart = now;
                    windowPackets = 0;
                }
            } catch (IOException e) {
                deviceFailed(e);
                break;
            }
        }
    }

    /** One receiving thread's buffers and poll set. */
    private final class ReceivePath {
        final BatchReceiver rx;
        final boolean primary;
        final byte[][] bufs;
        final int[] offsets;
        final int[] sizes;
        final PacketResult received = new PacketResult();
        long batchNanos;
        final Libc.CallState st = new Libc.CallState();
        /** The socket, the stop eventfd, the kick eventfd (primary only) and the device (while it sends too). */
        final PollSet pollSet = new PollSet(4, st);
        final int socketEntry;
        final int stopEntry;
        final int kickEntry;
        final int deviceEntry;
        final int messages;
        boolean mayReceive;
        long lastErrorLog;
        /** Until when (System.nanoTime) to poll without sleeping. */
        long spinUntil;
        long rateWindowStart;
        int busySteps;
        boolean sparse = true;

        ReceivePath(BatchReceiver rx, int messages, int batch, boolean primary) {
            this.rx = rx;
            this.messages = messages;
            this.primary = primary;
            this.bufs = new byte[batch][SatpLayout.BUFFER_SIZE];
            this.offsets = new int[batch];
            this.sizes = new int[batch];
            socketEntry = pollSet.addReadable(rx.fd());
            stopEntry = pollSet.addReadable(stop.fd());
            kickEntry = pollSet.addReadable(primary ? kickReceiver.fd() : -1);
            deviceEntry = pollSet.addReadable(-1);
        }

        /** Waits for datagrams (and, while it sends too, for the device), handles them; false when told to stop. */
        boolean step() {
            boolean shared = primary && txMode == TX_SHARED;
            boolean deviceReady = false;
            if (!mayReceive) {
                pollSet.set(deviceEntry, shared ? tunFd : -1);
                // Shortly after traffic, look without sleeping (see spinNanos): the answer to what just went out
                // then finds the thread running instead of having to wake it.
                boolean spin = shared && spinNanos > 0 && System.nanoTime() - spinUntil < 0;
                int ready = pollSet.poll(spin ? 0 : DEVICE_POLL_MILLIS);
                if (ready == 0 && spin) {
                    Thread.yield(); // whoever else wants this CPU (the peer, the application) goes first
                    return true;
                }
                if (ready > 0) {
                    if (pollSet.ready(stopEntry)) {
                        return false;
                    }
                    if (pollSet.ready(kickEntry)) {
                        kickReceiver.drain(st);
                    }
                    mayReceive = pollSet.ready(socketEntry);
                    deviceReady = pollSet.ready(deviceEntry);
                }
            }
            int m = 0;
            if (mayReceive) {
                try {
                    m = rx.receiveNow();
                } catch (OsException e) {
                    long now = System.nanoTime();
                    if (running && now - lastErrorLog > ENDPOINT_LOG_INTERVAL_NANOS) {
                        lastErrorLog = now;
                        log.warn("receiving failed: {}", e.getMessage());
                    }
                }
                if (m < messages) {
                    mayReceive = false; // drained, most likely: wait in poll next time
                }
                handle(m);
            }
            if (shared && (deviceReady || m > 0)) {
                sendShared();
                if (spinNanos > 0) {
                    armSpin();
                }
            }
            return true;
        }

        /**
         * After traffic: poll without sleeping for a while, but only while the traffic is sparse (fewer than
         * {@value #SPIN_MAX_STEPS} busy steps per {@value #SPIN_RATE_WINDOW_NANOS} ns: requests and answers, not a
         * bulk transfer, whose gaps the kernel fills anyway and where the CPU is better left to the other side).
         */
        private void armSpin() {
            long now = System.nanoTime();
            if (now - rateWindowStart > SPIN_RATE_WINDOW_NANOS) {
                sparse = busySteps < SPIN_MAX_STEPS;
                rateWindowStart = now;
                busySteps = 0;
            }
            busySteps++;
            spinUntil = sparse && busySteps < SPIN_MAX_STEPS ? now + spinNanos : now;
        }

        private void handle(int m) {
            batchNanos = System.nanoTime(); // one clock read per batch: the connections' last receive time
            int k = 0;
            int batch = bufs.length;
            for (int msg = 0; msg < m; msg++) {
                int length = rx.length(msg);
                if (rx.truncated(msg)) {
                    drops.count(DropReason.OVERSIZE);
                    continue;
                }
                if (length == 0) {
                    drops.count(DropReason.TOO_SHORT); // the loop below would not see it
                    continue;
                }
                int segment = rx.segmentSize(msg);
                for (int pos = 0; pos < length; pos += segment) {
                    if (openOne(msg, pos, Math.min(segment, length - pos), k) && ++k == batch) {
                        deliver(bufs, offsets, sizes, k);
                        k = 0;
                    }
                }
            }
            if (k > 0) {
                deliver(bufs, offsets, sizes, k);
            }
        }

        /** Sends what the device has (the kernel's answers to what was just written, or new traffic). */
        private void sendShared() {
            SendPath p = sendPath;
            if (!p.busy.compareAndSet(false, true)) {
                return;
            }
            try {
                int n = p.drain();
                if (n >= ESCALATE_BATCH && running) {
                    txMode = TX_DEDICATED; // a bulk transfer: the device thread takes the send side
                    kickDevice.wake(st);
                }
            } catch (IOException e) {
                deviceFailed(e);
            } finally {
                p.busy.set(false);
            }
        }

        /** Opens the datagram at {@code pos} of message {@code msg} into buffer {@code k}; whether to deliver it. */
        private boolean openOne(int msg, int pos, int length, int k) {
            if (length < SatpLayout.HEADER_LENGTH) {
                drops.count(DropReason.TOO_SHORT);
                return false;
            }
            byte[] buf = bufs[k];
            if (length > buf.length) {
                drops.count(DropReason.OVERSIZE);
                return false;
            }
            rx.copy(msg, pos, buf, 0, length);
            ConnectionTable t = table;
            Connection c = t.forMux(SatpLayout.mux(buf));
            if (c == null) {
                drops.count(noConnectionReason(t, length));
                return false;
            }
            boolean deliver = c.open(buf, length, received);
            if (received.movesEndpoint()) {
                InetSocketAddress source = rx.source(msg);
                if (source != null) {
                    learn(c, source);
                }
            }
            if (!countOpened(c, deliver, received, batchNanos)) {
                return false;
            }
            offsets[k] = received.innerOffset();
            sizes[k] = received.innerLength();
            return true;
        }
    }

    private void receiveLoop(BatchSocket socket, boolean primary) {
        BatchReceiver rx;
        int messages = socket.gro() ? 8 : 64;
        try {
            rx = socket.newReceiver(messages);
        } catch (IOException e) {
            log.error("cannot set up receiving on {}: {}", socket.channel(), e.getMessage());
            return;
        }
        ReceivePath p = new ReceivePath(rx, messages, Math.max(1, device.batchSize()), primary);
        while (running && p.step()) {
            // one batch per step
        }
    }

    private void deliver(byte[][] bufs, int[] offsets, int[] sizes, int count) {
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += sizes[i];
        }
        int failed;
        try {
            device.write(bufs, offsets, sizes, count);
            failed = 0;
        } catch (PartialWriteException e) {
            failed = e.failed(); // the others were written
        } catch (IOException e) {
            failed = count;
        }
        for (int f = 0; f < failed; f++) {
            drops.count(DropReason.DEVICE_WRITE_FAILED);
        }
        if (failed < count) {
            // the failed ones' sizes are not known: a partly failed batch counts its average size per packet
            counters.received(count - failed, bytes - bytes * failed / count, System.nanoTime());
        }
    }

    // ---- one datagram at a time on the DatagramChannels (no batch I/O) -------------------------------------------

    private void deviceToNetwork() {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        byte[][] bufs = {buf};
        int[] sizes = new int[1];
        ByteBuffer out = ByteBuffer.wrap(buf);
        Sealed sealed = new Sealed();
        while (running) {
            int n;
            try {
                n = device.read(bufs, sizes, SatpLayout.INNER_OFFSET, DEVICE_POLL_MILLIS);
            } catch (IOException e) {
                if (running) {
                    log.error("reading from device {} failed, stopping: {}", device.name(), e.getMessage());
                    running = false;
                    onFatal.run();
                }
                break;
            }
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                int length = seal(buf, sizes[i], sealed);
                if (length < 0) {
                    continue;
                }
                InetSocketAddress to = sealed.to;
                out.clear().limit(length);
                try {
                    transport.socketFor(to).send(out, to);
                    counters.sent(1, length);
                } catch (ClosedChannelException closed) {
                    return;
                } catch (IOException | RuntimeException e) {
                    drops.count(DropReason.SEND_FAILED); // e.g. no route to the remote yet: keep going
                }
            }
        }
    }

    private void networkToDevice(DatagramChannel socket) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        byte[][] bufs = {buf};
        int[] offsets = new int[1];
        int[] sizes = new int[1];
        ByteBuffer in = ByteBuffer.wrap(buf);
        PacketResult received = new PacketResult();
        while (running) {
            SocketAddress source;
            in.clear();
            try {
                source = socket.receive(in);
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                if (running) {
                    log.warn("receiving on {} failed: {}", socket, e.getMessage());
                }
                continue;
            }
            if (source == null) {
                continue;
            }
            int length = in.position();
            if (length < SatpLayout.HEADER_LENGTH) {
                drops.count(DropReason.TOO_SHORT);
                continue;
            }
            ConnectionTable t = table;
            Connection c = t.forMux(SatpLayout.mux(buf));
            if (c == null) {
                drops.count(noConnectionReason(t, length));
                continue;
            }
            boolean deliver = c.open(buf, length, received);
            if (received.movesEndpoint()) {
                learn(c, (InetSocketAddress) source);
            }
            if (!countOpened(c, deliver, received, System.nanoTime())) {
                continue;
            }
            offsets[0] = received.innerOffset();
            sizes[0] = received.innerLength();
            deliver(bufs, offsets, sizes, 1);
        }
    }

    /**
     * Why a datagram whose mux has no connection is dropped: its size is checked first, as for any datagram (the
     * man page's order), against the shortest tag of any connection; only a well-sized one counts as a wrong mux.
     */
    private static DropReason noConnectionReason(ConnectionTable t, int length) {
        if (length > SatpLayout.MAX_DATAGRAM) {
            return DropReason.OVERSIZE;
        }
        return length < SatpLayout.HEADER_LENGTH + t.minTagLength() ? DropReason.TOO_SHORT : DropReason.WRONG_MUX;
    }

    // ---- endpoints, shutdown ------------------------------------------------------------------------------------

    private void learn(Connection c, InetSocketAddress source) {
        if (c.learn(source)) {
            Consumer<Connection> listener = endpointListener;
            if (listener != null) {
                listener.accept(c);
            }
            if (c.mayLogEndpointChange(System.nanoTime(), ENDPOINT_LOG_INTERVAL_NANOS)) {
                log.info("connection {}: autodetected remote host changed to {}", c.mux(),
                        InetText.format(source));
            } else {
                endpointChangesNotLogged.increment(); // a peer flapping between addresses must not flood the log
            }
        }
    }

    /** For the housekeeping thread: reports endpoint changes that were not logged one by one. */
    public void reportEndpointChanges() {
        long n = endpointChangesNotLogged.sumThenReset();
        if (n > 0) {
            log.info("remote hosts changed {} more times in the last {} s", n,
                    TimeUnit.NANOSECONDS.toSeconds(ENDPOINT_LOG_INTERVAL_NANOS));
        }
    }

    @Override
    public void close() {
        running = false;
        if (stop != null) {
            stop.wake(new Libc.CallState());
        } else {
            transport.close(); // wakes the receive loops blocked in the channels
        }
        boolean joined = true;
        for (Thread t : started) {
            try {
                t.join(2000);
                joined &= !t.isAlive();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (stop != null && joined) {
            // only now: a loop still inside a system call on a closed fd could hit a reused one
            transport.close();
            closeEventFds();
        }
    }

    private void closeEventFds() {
        for (Waker w : new Waker[] {stop, kickReceiver, kickDevice}) {
            if (w != null) {
                w.close();
            }
        }
        stop = null;
        kickReceiver = null;
        kickDevice = null;
    }
}
