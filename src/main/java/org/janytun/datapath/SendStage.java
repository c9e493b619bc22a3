package org.janytun.datapath;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.connection.Path;
import org.janytun.connection.TrafficCounters;
import org.janytun.device.TunDevice;
import org.janytun.session.DropReason;
import org.janytun.session.PacketResult;
import org.janytun.transport.DatagramBatch;
import org.janytun.transport.DatagramSender;
import org.janytun.wire.SatpLayout;

/**
 * Where a packet is sealed and fanned out: device → network, one batch at a time. For each packet read from the
 * device: its connection (by route or the only one), {@code seal} in place (the session's suite), then the same
 * datagram to every path of the connection that has an endpoint (or, for a spreading connection, to the next such
 * path in turn); the batch leaves through the transport's sender in the order read. Every drop is counted with its reason. Knows nothing of threads: one thread at a time calls it.
 * Allocation-free.
 */
final class SendStage {
    private final TunDevice device;
    private final Supplier<ConnectionTable> tables;
    private final DropCounter drops;
    private final TrafficCounters total;
    private final DatagramSender sender;
    private final byte[][] bufs;
    private final int[] sizes;
    private final DatagramBatch out;
    private final PacketResult result = new PacketResult();
    private long outBytes;
    /** {@code --keepalive} in nanoseconds, 0 for none: set by the daemon, read by the owner. */
    private volatile long keepaliveNanos;
    private long nextKeepaliveCheck;
    /** How often idle connections are looked for: the keepalive's resolution. */
    private static final long KEEPALIVE_CHECK_NANOS = 1_000_000_000L;
    /** SATP sessions' KEEPALIVE_TIMEOUT (docs/SATP-SESSIONS.md §6.3, WireGuard's). */
    static final long PASSIVE_KEEPALIVE_NANOS = 10_000_000_000L;

    SendStage(TunDevice device, Supplier<ConnectionTable> tables, DropCounter drops, TrafficCounters total,
              DatagramSender sender) {
        this.device = device;
        this.tables = tables;
        this.drops = drops;
        this.total = total;
        this.sender = sender;
        int batch = Math.max(1, device.batchSize());
        this.bufs = new byte[batch][SatpLayout.BUFFER_SIZE];
        this.sizes = new int[batch];
        this.out = DatagramBatch.forSending(batch);
    }

    /** The most packets one {@link #pull} reads. */
    int batchSize() {
        return bufs.length;
    }

    /**
     * Reads what the device has (waiting up to {@code timeoutMillis} when nothing is there), seals and sends it.
     *
     * @return the number of packets read, -1 once the device is closed
     * @throws IOException when reading from the device fails (for good: the caller stops the daemon)
     */
    int pull(int timeoutMillis) throws IOException {
        int n = device.read(bufs, sizes, SatpLayout.INNER_OFFSET, timeoutMillis);
        if (n > 0) {
            process(n);
        }
        return n;
    }

    /** Sends a keepalive to each peer nothing was sent to for {@code nanos} (0: none from now on). Any thread. */
    void keepalive(long nanos) {
        keepaliveNanos = nanos;
    }

    /**
     * Time passes: called by the owner between batches (and at least every poll timeout). Once a second, when
     * keepalives are on, sends one to each connection that has been sent nothing for the interval; and one to each
     * SATP-session peer whose data has waited KEEPALIVE_TIMEOUT for anything sent back.
     */
    void tick(long now) {
        if (now - nextKeepaliveCheck < 0) {
            return;
        }
        nextKeepaliveCheck = now + KEEPALIVE_CHECK_NANOS;
        long interval = keepaliveNanos;
        for (Connection c : tables.get().connections()) {
            boolean due = interval != 0 && c.keepaliveDue(now, interval);
            // an SATP session also answers data it received and sent nothing back to (never a legacy peer: uanytun
            // would log every empty packet)
            due |= c.session().keyExchanged() && c.passiveKeepaliveDue(now, PASSIVE_KEEPALIVE_NANOS);
            if (due && c.canSeal() && anyEndpoint(c.paths())) {
                sendKeepalive(c, now);
            }
        }
    }

    private void sendKeepalive(Connection c, long now) {
        byte[] buf = bufs[0]; // free between batches
        PacketResult r = result;
        if (!c.session().sealKeepalive(buf, r)) {
            drops.count(r.drop());
            c.counters().dropped(r.drop(), 1);
            return;
        }
        send(c, buf, r.datagramLength());
        c.keepaliveSent(now);
        flush(); // the buffer is shared by every keepalive
    }

    /** Seals the first {@code n} packets read and sends them. */
    void process(int n) {
        ConnectionTable t = tables.get();
        for (int i = 0; i < n; i++) {
            seal(t, bufs[i], sizes[i]);
        }
        flush();
    }

    /** Seals the packet at {@code buf[INNER_OFFSET, INNER_OFFSET + innerLength)} and queues it on each path. */
    private void seal(ConnectionTable t, byte[] buf, int innerLength) {
        Connection c = t.forOutgoing(buf, innerLength);
        if (c == null) {
            drops.count(t.isEmpty() ? DropReason.NO_CONNECTION : DropReason.NO_ROUTE);
            return;
        }
        if (!c.canSeal()) {
            drops.count(DropReason.NO_KEY); // an SATP session without a key pair yet: a handshake is asked for
            c.counters().dropped(DropReason.NO_KEY, 1);
            c.requestKeys();
            return;
        }
        Path[] paths = c.paths();
        if (!anyEndpoint(paths)) {
            drops.count(DropReason.NO_REMOTE); // the sequence number is not used up (SPEC §8)
            c.counters().dropped(DropReason.NO_REMOTE, 1);
            return;
        }
        PacketResult r = result;
        if (!c.session().seal(buf, innerLength, r)) {
            drops.count(r.drop());
            c.counters().dropped(r.drop(), 1);
            return;
        }
        send(c, buf, r.datagramLength());
    }

    /** Queues the sealed datagram {@code buf[0, length)} on the connection's paths (or the next one in turn). */
    private void send(Connection c, byte[] buf, int length) {
        Path[] paths = c.paths();
        if (c.spreads()) {
            Path p = c.nextPath();
            InetSocketAddress to = p == null ? null : p.remote();
            if (to == null) {
                return; // every endpoint went away since the check above: nothing to send on, the number is used
            }
            queue(buf, length, p, to, paths.length > 1);
            c.counters().sent(1, length);
            return;
        }
        int copies = 0;
        for (Path p : paths) {
            InetSocketAddress to = p.remote();
            if (to != null) {
                queue(buf, length, p, to, paths.length > 1);
                copies++;
            }
        }
        c.counters().sent(copies, (long) copies * length);
    }

    private void queue(byte[] buf, int length, Path p, InetSocketAddress to, boolean countForPath) {
        if (out.full()) {
            flush();
        }
        out.add(buf, length, to, p.link());
        outBytes += length;
        if (countForPath) {
            p.counters().sent(1, length);
        }
    }

    private static boolean anyEndpoint(Path[] paths) {
        for (Path p : paths) {
            if (p.remote() != null) {
                return true;
            }
        }
        return false;
    }

    /** Sends what is queued; counts what the transport took, and what it could not send as drops. */
    private void flush() {
        int queued = out.count();
        if (queued == 0) {
            return;
        }
        int failed = sender.send(out);
        drops.count(DropReason.SEND_FAILED, failed);
        // the failed ones' sizes are not known: a partly failed batch counts its average size per datagram
        total.sent(queued - failed, outBytes - outBytes * failed / queued);
        out.clear();
        outBytes = 0;
    }
}
