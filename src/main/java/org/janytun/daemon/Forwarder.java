package org.janytun.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.device.TunDevice;
import org.janytun.session.DropReason;
import org.janytun.session.Received;
import org.janytun.session.SatpSession;
import org.janytun.transport.UdpTransport;
import org.janytun.wire.SatpLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data path, on platform threads (blocking FFM calls would pin virtual ones):
 *
 * <pre>
 *   device ──read──▶ pick connection ──seal──▶ send to its remote         (thread "janytun-device")
 *   device ◀─write── open ◀── connection by mux ◀── receive from anyone    (one thread "janytun-udp-N" per socket)
 * </pre>
 *
 * A connection's remote endpoint starts as configured (or unknown) and moves to the source of any packet that
 * passed its tag and sequence window, never to that of an unauthenticated one (SPEC §11). Each loop owns its
 * buffer and allocates nothing per packet; the connection table is swapped whole, so the loops never lock.
 */
public final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    private static final int DEVICE_POLL_MILLIS = 250;

    private final TunDevice device;
    private final UdpTransport transport;
    private volatile ConnectionTable table;
    private final DropCounter drops;
    private final Runnable onFatal;
    private final List<Thread> threads = new ArrayList<>();
    private static final long ENDPOINT_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private final LongAdder endpointChangesNotLogged = new LongAdder();
    private volatile boolean running;

    public final LongAdder packetsSent = new LongAdder();
    public final LongAdder bytesSent = new LongAdder();
    public final LongAdder packetsDelivered = new LongAdder();
    public final LongAdder bytesDelivered = new LongAdder();

    /**
     * @param onFatal called once when the device fails for good: the daemon then stops, rather than run on
     *                with a dead tunnel
     */
    public Forwarder(TunDevice device, UdpTransport transport, ConnectionTable table, DropCounter drops,
                     Runnable onFatal) {
        this.device = device;
        this.transport = transport;
        this.table = table;
        this.drops = drops;
        this.onFatal = onFatal;
    }

    public ConnectionTable table() {
        return table;
    }

    /** Publishes a new set of connections and routes; packets in flight finish with the old one. */
    public void setTable(ConnectionTable t) {
        table = t;
    }

    public void start() {
        running = true;
        threads.add(Thread.ofPlatform().name("janytun-device").daemon().unstarted(this::deviceToNetwork));
        List<DatagramChannel> sockets = transport.sockets();
        for (int i = 0; i < sockets.size(); i++) {
            DatagramChannel socket = sockets.get(i);
            threads.add(Thread.ofPlatform().name("janytun-udp-" + i).daemon()
                    .unstarted(() -> networkToDevice(socket)));
        }
        threads.forEach(Thread::start);
        ConnectionTable t = table;
        if (!t.isEmpty()) {
            JitWarmup.start(t.connections().getFirst().session(), () -> running, null);
        }
    }

    private void deviceToNetwork() {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        byte[][] bufs = {buf};
        int[] sizes = new int[1];
        ByteBuffer out = ByteBuffer.wrap(buf);
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
                ConnectionTable t = table;
                Connection c = t.forOutgoing(buf, sizes[i]);
                if (c == null) {
                    drops.count(t.isEmpty() ? DropReason.NO_CONNECTION : DropReason.NO_ROUTE);
                    continue;
                }
                InetSocketAddress to = c.remote();
                if (to == null) {
                    drops.count(DropReason.NO_REMOTE); // the sequence number is not used up (SPEC §8)
                    continue;
                }
                int length = c.session().seal(buf, sizes[i]);
                if (length < 0) {
                    drops.count(SatpSession.sealFailureReason(length));
                    continue;
                }
                out.clear().limit(length);
                try {
                    transport.socketFor(to).send(out, to);
                    packetsSent.increment();
                    bytesSent.add(length);
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
        Received received = new Received();
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
            Connection c = table.forMux(SatpLayout.mux(buf));
            if (c == null) {
                drops.count(DropReason.WRONG_MUX);
                continue;
            }
            boolean deliver = c.session().open(buf, length, received);
            if (received.authentic()) {
                learn(c, (InetSocketAddress) source);
            }
            if (!deliver) {
                drops.count(received.drop());
                continue;
            }
            offsets[0] = received.innerOffset();
            sizes[0] = received.innerLength();
            try {
                device.write(bufs, offsets, sizes, 1);
                packetsDelivered.increment();
                bytesDelivered.add(sizes[0]);
            } catch (IOException e) {
                drops.count(DropReason.DEVICE_WRITE_FAILED);
            }
        }
    }

    private void learn(Connection c, InetSocketAddress source) {
        if (c.learn(source)) {
            if (c.mayLogEndpointChange(System.nanoTime(), ENDPOINT_LOG_INTERVAL_NANOS)) {
                log.info("connection {}: autodetected remote host changed to {}", c.mux(),
                        UdpTransport.format(source));
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
        transport.close(); // wakes the receive loops
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
