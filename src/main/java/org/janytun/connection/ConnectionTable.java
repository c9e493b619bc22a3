package org.janytun.connection;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.janytun.wire.SatpLayout;

/**
 * An immutable snapshot of the daemon's connections, indexed by mux for the receive path, and the rule that picks
 * the connection of an outgoing packet. Updates build a new table and publish it with one volatile write, so the
 * packet threads never lock.
 *
 * <p>Without routing, every outgoing packet goes to the connection with the lowest mux (anytun's behaviour with a
 * single tunnel). With routing, the inner packet's destination picks the mux by longest-prefix match; a packet
 * with no route is dropped.
 */
public final class ConnectionTable {
    /** Looks up the mux for an inner packet, or returns -1 when no route matches. Must not allocate. */
    @FunctionalInterface
    public interface Router {
        int muxFor(byte[] buf, int innerOffset, int innerLength);
    }

    private final Connection[] byMux;
    private final Connection first;
    private final Router router;
    private final List<Connection> all;
    private final int minTagLength;

    private ConnectionTable(Connection[] byMux, List<Connection> all, Router router) {
        this.byMux = byMux;
        this.all = all;
        this.minTagLength = all.stream().mapToInt(c -> c.session().tagLength()).min().orElse(0);
        this.first = all.isEmpty() ? null : all.getFirst();
        this.router = router;
    }

    /** One connection and no routing: a point-to-point tunnel. */
    public static ConnectionTable single(Connection c) {
        return of(List.of(c), null);
    }

    /** {@code router} null means no routing: everything goes to the lowest mux. */
    public static ConnectionTable of(Collection<Connection> connections, Router router) {
        Connection[] byMux = new Connection[1 << 16];
        for (Connection c : connections) {
            byMux[c.mux()] = c;
        }
        List<Connection> sorted = Arrays.stream(byMux).filter(c -> c != null).toList();
        return new ConnectionTable(byMux, sorted, router);
    }

    /** The connection for a received datagram's mux, or null. */
    public Connection forMux(int mux) {
        return byMux[mux & 0xFFFF];
    }

    /** The connection an inner packet at {@code buf[INNER_OFFSET...]} goes to, or null (no connection, no route). */
    public Connection forOutgoing(byte[] buf, int innerLength) {
        if (router == null) {
            return first;
        }
        int mux = router.muxFor(buf, SatpLayout.INNER_OFFSET, innerLength);
        return mux < 0 ? null : byMux[mux];
    }

    /** The shortest tag of any connection (0 without connections): what a datagram of an unknown mux must hold. */
    public int minTagLength() {
        return minTagLength;
    }

    public boolean routing() {
        return router != null;
    }

    public List<Connection> connections() {
        return all;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }
}
