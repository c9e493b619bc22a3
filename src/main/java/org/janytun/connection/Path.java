package org.janytun.connection;

import java.net.InetSocketAddress;

/**
 * One way to a connection's peer: the local link (the transport's socket, by index) and the remote endpoint on it.
 * A connection sends each datagram on every path that has an endpoint and learns each path's endpoint from the
 * authentic packets that arrive on its link (SPEC §11). Today a connection has one path on link 0; RAIL and anycast
 * give it more.
 */
public final class Path {
    private final int link;
    private volatile InetSocketAddress remote;
    private final TrafficCounters counters = new TrafficCounters();
    /** When an endpoint change of this path was last logged (the data path limits the rate). */
    private volatile long lastEndpointLog = Long.MIN_VALUE;
    // the receiving thread's own: the newest sequence number that came in on this link
    private boolean seen;
    private int newestSeq;
    /** Sequence numbers skipped on this link (gaps before a newer packet): its loss, as far as it can be seen. */
    private volatile long skipped;

    public Path(int link, InetSocketAddress remote) {
        this.link = link;
        this.remote = remote;
    }

    public int link() {
        return link;
    }

    /** The endpoint, or null while none is configured or learned (nothing is sent on this path then). */
    public InetSocketAddress remote() {
        return remote;
    }

    /**
     * What went out and came in on this path, and its copies of packets that another link delivered first: kept
     * only when the connection has several paths (with one, the connection's counters say it all).
     */
    public TrafficCounters counters() {
        return counters;
    }

    /**
     * For the receiving thread, for a packet that passed the tag on this path's link: records its sequence number;
     * whether it is newer (serial-number order) than any that came in on this link before. With several paths
     * (RAIL) that is what lets each link learn its endpoint and tells a copy of a new packet from an old replay.
     */
    public boolean noteSequence(int seq) {
        if (seen && seq - newestSeq <= 0) {
            return false;
        }
        if (seen) {
            long gap = (seq - newestSeq) - 1L;
            if (gap > 0) {
                skipped = skipped + gap; // one writer: the receiving thread
            }
        }
        seen = true;
        newestSeq = seq;
        return true;
    }

    /**
     * Sequence numbers this link never delivered before a newer one (with several paths: the copies it lost, or
     * that came too late to be new). With {@code counters().packetsIn()} and the RAIL duplicates it gives the link's
     * loss: skipped / (skipped + in + duplicates). Packets the peer sent on other links only (--rail-spread)
     * count as skipped too.
     */
    public long skipped() {
        return skipped;
    }

    /** Whether an endpoint change may be logged now: at most one line per {@code intervalNanos} per path. */
    public boolean mayLogEndpointChange(long now, long intervalNanos) {
        if (lastEndpointLog != Long.MIN_VALUE && now - lastEndpointLog < intervalNanos) {
            return false;
        }
        lastEndpointLog = now;
        return true;
    }

    /** Moves the endpoint to {@code source}; whether it changed. */
    boolean learn(InetSocketAddress source) {
        if (source.equals(remote)) {
            return false;
        }
        remote = source;
        return true;
    }

    void setRemote(InetSocketAddress r) {
        remote = r;
    }

    void setRemoteIfUnknown(InetSocketAddress r) {
        if (remote == null) {
            remote = r;
        }
    }
}
