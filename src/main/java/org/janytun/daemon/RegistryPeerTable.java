package org.janytun.daemon;

import java.util.List;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionRegistry;
import org.janytun.handshake.PeerTable;
import org.janytun.route.IpPrefix;

/** A server's SATP-session peers go into its connection registry, with their routes, beside static-key ones. */
record RegistryPeerTable(ConnectionRegistry registry) implements PeerTable {
    @Override
    public String install(Connection c, List<IpPrefix> routes) {
        return registry.addSession(c, routes);
    }

    @Override
    public void uninstall(Connection c) {
        registry.removeSession(c);
    }

    @Override
    public void reroute(Connection c, List<IpPrefix> routes) {
        registry.rerouteSession(c, routes);
    }

    @Override
    public void batch(Runnable edits) {
        registry.batch(edits);
    }
}
