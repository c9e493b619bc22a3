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
