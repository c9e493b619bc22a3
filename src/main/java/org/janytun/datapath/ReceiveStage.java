package org.janytun.datapath;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Supplier;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.connection.Path;
import org.janytun.connection.TrafficCounters;
import org.janytun.device.PartialWriteException;
import org.janytun.device.TunDevice;
import org.janytun.keyx.ControlDatagram;
import org.janytun.log.RateLimitedLog;
import org.janytun.session.DropReason;
import org.janytun.session.PacketResult;
import org.janytun.transport.DatagramBatch;
import org.janytun.transport.DatagramReceiver;
import org.janytun.wire.SatpLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a datagram is opened: network → device, one batch at a time. For each datagram: its connection by mux,
 * {@code open} (tag, replay window, decryption: the session's suite), endpoint learning for the newest authentic
 * packet of its sender, then the opened packets go to the device in batches. Every drop is counted with its reason,
 * for the connection and for the whole data path. Knows nothing of threads: one thread at a time calls it.
 * Allocation-free.
 */
final class ReceiveStage {
    private static final Logger log = LoggerFactory.getLogger(ReceiveStage.class);

    private final RateLimitedLog receiveErrors = new RateLimitedLog(Duration.ofSeconds(10));

    private final TunDevice device;
    private final Supplier<ConnectionTable> tables;
    private final DropCounter drops;
    private final TrafficCounters total;
    private final EndpointLearning learning;
    private final DatagramBatch in;
    private final PacketResult result = new PacketResult();
    /** Where SATP-session control datagrams (mux 0xFFFF) go; null: a legacy daemon, which has no such mux. */
    private final ControlSink control;
    // the opened packets of the batch, pointing into its buffers, in chunks of the device's batch size
    private final byte[][] out;
    private final int[] offsets;
    private final int[] sizes;
    private int pending;

    ReceiveStage(TunDevice device, Supplier<ConnectionTable> tables, DropCounter drops, TrafficCounters total,
                 EndpointLearning learning, int capacity) {
        this(device, tables, drops, total, learning, capacity, null);
    }

    ReceiveStage(TunDevice device, Supplier<ConnectionTable> tables, DropCounter drops, TrafficCounters total,
                 EndpointLearning learning, int capacity, ControlSink control) {
        this.control = control;
        this.device = device;
        this.tables = tables;
        this.drops = drops;
        this.total = total;
        this.learning = learning;
        this.in = DatagramBatch.forReceiving(capacity);
        int deviceBatch = Math.max(1, Math.min(capacity, device.batchSize()));
        this.out = new byte[deviceBatch][];
        this.offsets = new int[deviceBatch];
        this.sizes = new int[deviceBatch];
    }

    /** The most datagrams one {@link #pull} takes. */
    int capacity() {
        return in.capacity();
    }

    /**
     * Takes what {@code rx} has (waiting up to {@code timeoutMillis} when nothing is there) and delivers it.
     *
     * @return the number of datagrams taken, -1 once the transport is closed
     */
    int pull(DatagramReceiver rx, int timeoutMillis) {
        int n;
        try {
            n = rx.receive(in, timeoutMillis);
        } catch (IOException e) {
            String more = receiveErrors.permit();
            if (more != null) {
                log.warn("receiving failed: {}{}", e.getMessage(), more);
            }
            return 0;
        }
        if (n > 0) {
            process(in, System.nanoTime());
        }
        return n;
    }

    /** Opens and delivers the datagrams of {@code batch}, received at {@code nanos}. */
    void process(DatagramBatch batch, long nanos) {
        ConnectionTable t = tables.get();
        for (int i = 0; i < batch.count(); i++) {
            if (open(t, batch, i, nanos) && pending == out.length) {
                deliver();
            }
        }
        if (pending > 0) {
            deliver();
        }
    }

    /** Opens datagram {@code i} in place; whether it is queued for the device. */
    private boolean open(ConnectionTable t, DatagramBatch batch, int i, long nanos) {
        int length = batch.length(i);
        if (length == DatagramBatch.TRUNCATED) {
            drops.count(DropReason.OVERSIZE);
            return false;
        }
        if (length < SatpLayout.HEADER_LENGTH) {
            drops.count(DropReason.TOO_SHORT);
            return false;
        }
        byte[] buf = batch.buf(i);
        int mux = SatpLayout.mux(buf);
        if (mux == ControlDatagram.MUX && control != null) {
            // dispatched by the reserved mux alone, never by trial; the handshake thread does the rest
            if (!control.offer(buf, length, batch.address(i), batch.link(i))) {
                drops.count(DropReason.CONTROL_QUEUE_FULL);
            }
            return false;
        }
        Connection c = t.forMux(mux);
        if (c == null) {
            drops.count(noConnectionReason(t, length));
            return false;
        }
        PacketResult r = result;
        boolean deliver = c.open(buf, length, r);
        DropReason drop = r.drop();
        Path path = null;
        if (c.paths().length == 1) {
            if (r.movesEndpoint()) {
                learn(c, batch, i, nanos);
            }
        } else if (r.tagPassed()) {
            // RAIL: every link learns its endpoint from the packets that are new on it, and the copy of a packet
            // that came in on another link first is expected: counted for the link, not logged as a replay
            path = c.pathOn(batch.link(i));
            if (path != null && path.noteSequence(r.seq())) {
                learn(c, batch, i, nanos);
                if (drop == DropReason.REPLAYED) {
                    drop = DropReason.RAIL_DUPLICATE;
                    path.counters().dropped(drop, 1);
                }
            }
        }
        if (!deliver) {
            if (drop == DropReason.EMPTY_PAYLOAD) {
                c.counters().keepaliveReceived(nanos); // authentic and empty: a keepalive, neither a drop nor news
                return false;
            }
            if (drop == DropReason.BAD_TAG && control != null && !c.canSeal()) {
                // the peer sends under a key pair this side does not have (it restarted): the handshake thread
                // may start a handshake towards the source (rate-limited there); the endpoint moves only when
                // that handshake authenticates
                control.offer(buf, length, batch.address(i), batch.link(i));
            }
            c.counters().dropped(drop, 1);
            if (drop != DropReason.RAIL_DUPLICATE) {
                drops.count(drop);
            }
            return false;
        }
        c.counters().received(1, r.innerLength(), nanos);
        if (path != null) {
            path.counters().received(1, r.innerLength(), nanos);
        }
        out[pending] = buf;
        offsets[pending] = r.innerOffset();
        sizes[pending] = r.innerLength();
        pending++;
        return true;
    }

    private void learn(Connection c, DatagramBatch batch, int i, long nanos) {
        InetSocketAddress source = batch.address(i);
        if (source != null) {
            learning.learn(c, batch.link(i), source, nanos);
        }
    }

    /** Writes the queued packets; counts what the device took, and what it refused as drops. */
    private void deliver() {
        int count = pending;
        pending = 0;
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += sizes[i];
        }
        int failed;
        try {
            device.write(out, offsets, sizes, count);
            failed = 0;
        } catch (PartialWriteException e) {
            failed = e.failed(); // the others were written
        } catch (IOException e) {
            failed = count;
        }
        drops.count(DropReason.DEVICE_WRITE_FAILED, failed);
        if (failed < count) {
            // the failed ones' sizes are not known: a partly failed batch counts its average size per packet
            total.received(count - failed, bytes - bytes * failed / count, System.nanoTime());
        }
        Arrays.fill(out, 0, count, null);
    }

    /**
     * Why a datagram whose mux has no connection is dropped: its size is checked first, as for any datagram (the
     * man page's order), against the shortest tag of any connection; only a well-sized one counts as a wrong mux.
     */
    static DropReason noConnectionReason(ConnectionTable t, int length) {
        if (length > SatpLayout.MAX_DATAGRAM) {
            return DropReason.OVERSIZE;
        }
        return length < SatpLayout.HEADER_LENGTH + t.minTagLength() ? DropReason.TOO_SHORT : DropReason.WRONG_MUX;
    }
}
