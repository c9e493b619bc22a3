package org.janytun.handshake;

import java.util.List;
import org.janytun.connection.Connection;
import org.janytun.route.IpPrefix;

/** Where an SATP-session endpoint puts its peers' connections so that the data path finds them. */
public interface PeerTable {
    /**
     * Makes a peer's connection (and the routes to it) usable.
     *
     * @return null, or why it cannot be (its mux is taken, the table is full)
     */
    String install(Connection connection, List<IpPrefix> routes);

    /** Takes a peer's connection and its routes out of use. */
    void uninstall(Connection connection);

    /** The peer's routes changed (a reload): they replace the previous ones. */
    void reroute(Connection connection, List<IpPrefix> routes);

    /** Runs {@code edits} (calls of this table's methods) as one change: the data path sees the result once. */
    default void batch(Runnable edits) {
        edits.run();
    }

    /** A point-to-point tunnel's: its one connection is the daemon's table; there are no routes. */
    PeerTable SINGLE = new PeerTable() {
        @Override
        public String install(Connection connection, List<IpPrefix> routes) {
            return null;
        }

        @Override
        public void uninstall(Connection connection) {
        }

        @Override
        public void reroute(Connection connection, List<IpPrefix> routes) {
        }
    };
}
