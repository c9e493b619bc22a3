package org.janytun.sync;

import org.janytun.route.IpPrefix;

/**
 * janytun's extension to the sync protocol, inside a {@link TableChange}: the sender no longer serves connection
 * {@code mux} (with {@code route} null) or the route to {@code route}'s prefix (its mux is not sent: 0). On the wire,
 * after the command {@code janytun-table-drop}: {@code 0 <mux>} for a connection, {@code 1 <prefix length> <family>
 * <address>} for a route (family and address as in a {@code route} frame). The references skip it.
 *
 * @param mux   the connection no longer served (0 for a route)
 * @param route the route no longer served, or null for a connection
 */
public record TableDrop(int mux, RouteRecord route) implements SyncRecord {
    public static final String COMMAND = "janytun-table-drop";

    public TableDrop {
        SyncCodec.checkUint16("mux", mux);
    }

    public static TableDrop connection(int mux) {
        return new TableDrop(mux, null);
    }

    public static TableDrop route(IpPrefix prefix) {
        return new TableDrop(0, new RouteRecord(prefix.address(), prefix.length(), 0));
    }

    /** The prefix of a dropped route, or null for a connection. */
    public IpPrefix prefix() {
        return route == null ? null : route.prefix();
    }
}
