package org.janytun.connection;

import java.net.InetSocketAddress;
import org.janytun.session.SatpSession;

/**
 * One peer: its SATP session (keys, counters, windows) and the {@link Path}s its datagrams take (one today, on
 * link 0). A path's endpoint starts as configured (or unknown) and follows the source of authentic packets that
 * arrive on its link (SPEC §11). Its {@link #counters()} count what the data path did for this peer.
 */
public final class Connection {
    private final int mux;
    private final SatpSession session;
    private final Path[] paths;
    /** Whether each datagram takes one path in turn (RAIL spread) rather than every path (RAIL, the default). */
    private final boolean spread;
    /** The send stage's own: where the turn of a spreading connection is. */
    private int turn;
    private final TrafficCounters counters = new TrafficCounters();

    public Connection(SatpSession session, InetSocketAddress initialRemote) {
        this(session, new Path(0, initialRemote));
    }

    /** A connection that sends each datagram on each of {@code paths} (at least one). */
    public Connection(SatpSession session, Path... paths) {
        this(session, false, paths);
    }

    private Connection(SatpSession session, boolean spread, Path... paths) {
        if (paths.length == 0) {
            throw new IllegalArgumentException("a connection needs a path");
        }
        this.mux = session.mux();
        this.session = session;
        this.paths = paths.clone();
        this.spread = spread;
    }

    /**
     * A connection that sends each datagram on one of {@code paths}, in turn (RAIL's "more bandwidth" mode): no
     * redundancy, and the peer's window must be larger than the reordering the paths cause.
     */
    public static Connection spreading(SatpSession session, Path... paths) {
        return new Connection(session, true, paths);
    }

    public boolean spreads() {
        return spread;
    }

    /**
     * For the send stage of a spreading connection: the next path in turn that has an endpoint, or null when none
     * has one.
     */
    public Path nextPath() {
        for (int k = 0; k < paths.length; k++) {
            Path p = paths[turn];
            turn = turn + 1 == paths.length ? 0 : turn + 1;
            if (p.remote() != null) {
                return p;
            }
        }
        return null;
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

    /** The paths to send each datagram on; the array is the connection's own: read it, never change it. */
    public Path[] paths() {
        return paths;
    }

    /** The path on {@code link}, or null when the connection has none there. */
    public Path pathOn(int link) {
        for (Path p : paths) {
            if (p.link() == link) {
                return p;
            }
        }
        return null;
    }

    /** The first path's endpoint (the one the references know: {@code -r}), or null while unknown. */
    public InetSocketAddress remote() {
        return paths[0].remote();
    }

    /**
     * Moves the endpoint of the path on {@code link} to {@code source}: the path that moved, or null when none did.
     * Only for packets that passed the tag and the window and are the newest of their sender (or, with several
     * paths, the newest on that link).
     */
    public Path learn(int link, InetSocketAddress source) {
        Path first = null;
        for (Path p : paths) {
            if (p.link() == link) {
                if (source.equals(p.remote())) {
                    return null; // already one of this link's endpoints
                }
                first = first == null ? p : first;
            }
        }
        return first != null && first.learn(source) ? first : null;
    }


    /** Sets the endpoint a control daemon or cluster peer gave explicitly. */
    public void setRemote(InetSocketAddress r) {
        paths[0].setRemote(r);
    }

    /** Sets the endpoint of the path on {@code link} when none is known yet (a late name resolution of {@code -r}). */
    public void setRemoteIfUnknown(int link, InetSocketAddress r) {
        Path p = pathOn(link);
        if (p != null) {
            p.setRemoteIfUnknown(r);
        }
    }
}
