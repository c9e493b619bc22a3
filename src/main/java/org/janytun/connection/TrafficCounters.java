package org.janytun.connection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.janytun.session.DropReason;

/**
 * Packets and bytes in and out, drops by reason and the last receive time, of one connection or of the whole data
 * path. Cheap on the packet path: plain long fields, each written by one thread at a time (the receiving loop for
 * the "in" side and the receive-side drops, the current owner of the send side for the rest; a hand-over of the
 * send side is a compare-and-set, which orders the writes), published with opaque stores, no lock, no allocation,
 * no atomic read-modify-write. Any thread may read them; a reader sees each counter's recent value, not a snapshot
 * of all of them at one instant.
 */
public final class TrafficCounters {
    private static final VarHandle PACKETS_IN;
    private static final VarHandle BYTES_IN;
    private static final VarHandle PACKETS_OUT;
    private static final VarHandle BYTES_OUT;
    private static final VarHandle LAST_RECEIVE;
    private static final VarHandle KEEPALIVES_IN;
    private static final VarHandle KEEPALIVES_OUT;
    private static final VarHandle DROPS_BY_REASON;
    private static final VarHandle DROPS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final DropReason[] REASONS = DropReason.values();

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PACKETS_IN = l.findVarHandle(TrafficCounters.class, "packetsIn", long.class);
            BYTES_IN = l.findVarHandle(TrafficCounters.class, "bytesIn", long.class);
            PACKETS_OUT = l.findVarHandle(TrafficCounters.class, "packetsOut", long.class);
            BYTES_OUT = l.findVarHandle(TrafficCounters.class, "bytesOut", long.class);
            LAST_RECEIVE = l.findVarHandle(TrafficCounters.class, "lastReceiveNanos", long.class);
            KEEPALIVES_IN = l.findVarHandle(TrafficCounters.class, "keepalivesIn", long.class);
            KEEPALIVES_OUT = l.findVarHandle(TrafficCounters.class, "keepalivesOut", long.class);
            DROPS_BY_REASON = l.findVarHandle(TrafficCounters.class, "drops", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long packetsIn;
    private long bytesIn;
    private long packetsOut;
    private long bytesOut;
    private long lastReceiveNanos;
    private long keepalivesIn;
    private long keepalivesOut;
    /**
     * By reason; made at the first drop (by whichever side drops first: a compare-and-set, so the two sides share
     * one array). Most connections never drop a packet, and every connection has two of these counters (its own
     * and its path's): at 65,535 connections the arrays made up front were 21 MB of a 100 MB heap.
     */
    private long[] drops;

    /** By the receiving loop: {@code packets} inner packets of {@code bytes} in all arrived (at {@code nanos}). */
    public void received(long packets, long bytes, long nanos) {
        PACKETS_IN.setOpaque(this, packetsIn + packets);
        BYTES_IN.setOpaque(this, bytesIn + bytes);
        LAST_RECEIVE.setOpaque(this, nanos);
    }

    /** By the send side's owner: {@code packets} datagrams of {@code bytes} in all went out. */
    public void sent(long packets, long bytes) {
        PACKETS_OUT.setOpaque(this, packetsOut + packets);
        BYTES_OUT.setOpaque(this, bytesOut + bytes);
    }

    /** By the receiving loop: an authentic keepalive (empty payload) arrived at {@code nanos}: the peer is alive. */
    public void keepaliveReceived(long nanos) {
        KEEPALIVES_IN.setOpaque(this, keepalivesIn + 1);
        LAST_RECEIVE.setOpaque(this, nanos);
    }

    /** By the send side's owner: a keepalive went out (also counted as a datagram sent). */
    public void keepaliveSent() {
        KEEPALIVES_OUT.setOpaque(this, keepalivesOut + 1);
    }

    public long keepalivesIn() {
        return (long) KEEPALIVES_IN.getOpaque(this);
    }

    public long keepalivesOut() {
        return (long) KEEPALIVES_OUT.getOpaque(this);
    }

    /**
     * {@code n} packets dropped for {@code reason}: by the receiving loop for receive-side reasons, by the send
     * side's owner for send-side ones (each reason has one writing side).
     */
    public void dropped(DropReason reason, long n) {
        long[] d = drops;
        if (d == null) {
            d = dropsArray();
        }
        int i = reason.ordinal();
        DROPS.setOpaque(d, i, d[i] + n);
    }

    private long[] dropsArray() {
        long[] fresh = new long[REASONS.length];
        long[] won = (long[]) DROPS_BY_REASON.compareAndExchange(this, (long[]) null, fresh);
        return won != null ? won : fresh;
    }

    public long packetsIn() {
        return (long) PACKETS_IN.getOpaque(this);
    }

    public long bytesIn() {
        return (long) BYTES_IN.getOpaque(this);
    }

    public long packetsOut() {
        return (long) PACKETS_OUT.getOpaque(this);
    }

    public long bytesOut() {
        return (long) BYTES_OUT.getOpaque(this);
    }

    /** {@link System#nanoTime} of the last packet received, or 0 if none yet. */
    public long lastReceiveNanos() {
        return (long) LAST_RECEIVE.getOpaque(this);
    }

    public long drops(DropReason reason) {
        long[] d = (long[]) DROPS_BY_REASON.getAcquire(this);
        return d == null ? 0 : (long) DROPS.getOpaque(d, reason.ordinal());
    }

    /** All drops, whatever the reason. */
    public long drops() {
        long sum = 0;
        long[] d = (long[]) DROPS_BY_REASON.getAcquire(this);
        for (int i = 0; d != null && i < d.length; i++) {
            sum += (long) DROPS.getOpaque(d, i);
        }
        return sum;
    }

    /** One line for the log: in, out and drops. */
    @Override
    public String toString() {
        return packetsIn() + " packets (" + bytesIn() + " bytes) in, " + packetsOut() + " packets (" + bytesOut()
                + " bytes) out, " + drops() + " dropped";
    }
}
