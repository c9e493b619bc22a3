package org.janytun.connection;

import java.net.InetSocketAddress;
import org.janytun.session.SatpSession;

/**
 * One peer: its SATP session (keys, counters, windows) and the UDP endpoint packets go to. The endpoint starts as
 * configured (or unknown) and follows the source of authentic packets (SPEC §11). Its {@link #counters()} count
 * what the data path did for this peer.
 */
public final class Connection {
    private final int mux;
    private final SatpSession session;
    private volatile InetSocketAddress remote;
    /** When an endpoint change of this connection was last logged (the forwarder limits the rate). */
    private volatile long lastEndpointLog = Long.MIN_VALUE;
    private final TrafficCounters counters = new TrafficCounters();

    public Connection(SatpSession session, InetSocketAddress initialRemote) {
        this.mux = session.mux();
        this.session = session;
        this.remote = initialRemote;
    }

    public int mux() {
        return mux;
    }

    public SatpSession session() {
        return session;
    }

    /** Packets, bytes and drops of this peer, and when it was last heard from. */
    public TrafficCounters counters() {
        return counters;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    /** Moves the endpoint; returns whether it changed. Only for packets that passed the tag and the window. */
    public boolean learn(InetSocketAddress source) {
        if (source.equals(remote)) {
            return false;
        }
        remote = source;
        return true;
    }

    /** Whether an endpoint change may be logged now: at most one line per {@code intervalNanos} per connection. */
    public boolean mayLogEndpointChange(long now, long intervalNanos) {
        if (lastEndpointLog != Long.MIN_VALUE && now - lastEndpointLog < intervalNanos) {
            return false;
        }
        lastEndpointLog = now;
        return true;
    }

    /** Sets the endpoint a control daemon or cluster peer gave explicitly. */
    public void setRemote(InetSocketAddress r) {
        remote = r;
    }

    /** Sets the endpoint when none is known yet (a late name resolution of {@code -r}). */
    public void setRemoteIfUnknown(InetSocketAddress r) {
        if (remote == null) {
            remote = r;
        }
    }
}
