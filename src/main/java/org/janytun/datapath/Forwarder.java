package org.janytun.datapath;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.connection.TrafficCounters;
import org.janytun.device.TunDevice;
import org.janytun.transport.DatagramReceiver;
import org.janytun.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data path: two thread-free stages and a threading policy that runs them, on platform threads (blocking FFM
 * calls would pin virtual ones).
 *
 * <pre>
 *   device ──read──▶ SendStage: route → seal → fan-out to the paths ──▶ Transport's sender (sendmmsg, UDP GSO)
 *   device ◀─write── ReceiveStage: mux → open (tag, window) → learn ◀── Transport's receiver (recvmmsg, UDP GRO)
 * </pre>
 *
 * {@link ReceiveStage} is where a datagram is opened, {@link SendStage} where a packet is sealed and fanned out; a
 * suite implements {@link org.janytun.crypto.Suite}, a transport {@link Transport}, a threading policy
 * {@link ThreadingPolicy}. Each SATP datagram is sealed and opened one by one in order, so the wire carries exactly
 * what a one-packet-at-a-time sender sends. The connection table is swapped whole, so the stages never lock.
 */
public final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    /** Datagrams one receive hands to the receive stage. */
    private static final int RECEIVE_BATCH = 64;

    private final TunDevice device;
    private final Transport transport;
    private volatile ConnectionTable table;
    private final DropCounter drops;
    private final Runnable onFatal;
    /** Makes the loops' threads, given a short name ("device", "udp"): the warm-up's make them nice. */
    private final BiFunction<String, Runnable, Thread> threads;
    private final EndpointLearning learning = new EndpointLearning();
    private final AtomicBoolean fatal = new AtomicBoolean();
    private final List<Thread> started = new ArrayList<>();
    private volatile boolean running;
    private String description = "not started";
    private DatagramReceiver rx;
    private ReceiveStage receiveStage;
    private SendStage sendStage;
    private ThreadingPolicy policy;
    private volatile long keepaliveNanos;
    private ControlSink control;

    /** The whole data path's: "in" is what was written to the device, "out" what the transport took. */
    private final TrafficCounters counters = new TrafficCounters();

    /**
     * @param onFatal called once when the device fails for good: the daemon then stops, rather than run on
     *                with a dead tunnel
     */
    public Forwarder(TunDevice device, Transport transport, ConnectionTable table, DropCounter drops,
                     Runnable onFatal) {
        this(device, transport, table, drops, onFatal,
                (name, body) -> Thread.ofPlatform().name("janytun-" + name).daemon().unstarted(body));
    }

    /** @param threads makes the loops' platform threads (blocking FFM calls would pin virtual ones) */
    public Forwarder(TunDevice device, Transport transport, ConnectionTable table, DropCounter drops,
                     Runnable onFatal, BiFunction<String, Runnable, Thread> threads) {
        this.device = device;
        this.transport = transport;
        this.table = table;
        this.drops = drops;
        this.onFatal = onFatal;
        this.threads = threads;
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
        learning.onChange(listener);
    }

    /** For the housekeeping thread: reports endpoint changes that were not logged one by one. */
    public void reportEndpointChanges() {
        learning.report();
    }

    /**
     * {@code --keepalive}: from now on, each peer that has been sent nothing for {@code interval} gets a keepalive
     * (an authentic empty datagram, {@link org.janytun.session.SatpSession#sealKeepalive}); zero turns them off.
     */
    public void keepalive(java.time.Duration interval) {
        keepaliveNanos = interval.toNanos();
        SendStage s = sendStage;
        if (s != null) {
            s.keepalive(keepaliveNanos);
        }
    }

    /**
     * Hands datagrams of the reserved mux 0xFFFF (SATP-session control) to {@code sink} instead of dropping them as
     * a wrong mux; before {@link #start}. Only for a daemon whose peers are all janytun with SATP sessions.
     */
    public void onControl(ControlSink sink) {
        control = sink;
    }

    /** Sets up the stages and the threading policy and starts the loops. */
    public void start() throws IOException {
        rx = transport.newReceiver();
        receiveStage = new ReceiveStage(device, this::table, drops, counters, learning, RECEIVE_BATCH, control);
        sendStage = new SendStage(device, this::table, drops, counters, transport.newSender(device.batchSize()));
        sendStage.keepalive(keepaliveNanos);
        Loops parts = new Parts();
        ThreadingPolicy p = rx.pollFds().length > 0 ? AdaptiveThreads.open(parts) : null;
        policy = p != null ? p : new DedicatedThreads(parts);
        description = device.describe() + ", batches of " + device.batchSize() + "; UDP " + transport.describe()
                + "; " + policy.describe();
        running = true;
        started.addAll(policy.threads(threads));
        started.forEach(Thread::start);
    }

    /** What {@link #start} set up, for the log: device offloads, batch size, how UDP is moved, threads. */
    public String description() {
        return description;
    }

    /** Between {@link #start} and {@link #close}. */
    public boolean running() {
        return running;
    }

    private void deviceFailed(IOException e) {
        if (running && fatal.compareAndSet(false, true)) {
            log.error("reading from device {} failed, stopping: {}", device.name(), e.getMessage());
            running = false;
            onFatal.run();
        }
    }

    /** What the threading policy sees of this data path. */
    private final class Parts implements Loops {
        @Override
        public ReceiveStage receive() {
            return receiveStage;
        }

        @Override
        public SendStage send() {
            return sendStage;
        }

        @Override
        public DatagramReceiver rx() {
            return rx;
        }

        @Override
        public TunDevice device() {
            return device;
        }

        @Override
        public boolean running() {
            return running;
        }

        @Override
        public void deviceFailed(IOException e) {
            Forwarder.this.deviceFailed(e);
        }
    }

    /** Stops the loops, then closes the transport (the device belongs to the caller). */
    @Override
    public void close() {
        running = false;
        if (policy != null) {
            policy.wake();
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
        // only once the loops ended: a loop still inside a system call on a closed fd could hit a reused one
        if (joined) {
            transport.close();
            if (policy != null) {
                policy.close();
            }
        }
    }
}
