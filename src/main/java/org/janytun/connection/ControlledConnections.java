package org.janytun.connection;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.device.DeviceType;
import org.janytun.route.IpPrefix;
import org.janytun.route.RouteTable;
import org.janytun.session.SatpSession;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;

/**
 * Turns the connections and routes a control daemon serves into the daemon's {@link ConnectionTable}. Each table
 * received is taken as the whole truth: connections and routes that are gone are dropped (the reference keeps
 * them until restart). A connection whose keys did not change is kept as it is, with its sequence counter,
 * replay windows and learned endpoint, so a reload never makes clients drop our packets as replays (the
 * reference resets every counter to the served value, SYNC.md §2.2).
 *
 * <p>Cipher, auth algorithm and tag length are process-wide (they are not in the records), as in anytun. Used
 * from one thread (the control client's).
 */
public final class ControlledConnections {
    private final CtrAlgorithm cipher;
    private final AuthAlgorithm auth;
    private final int tagLength;
    private final int senderId;
    private final DeviceType deviceType;
    private final Connection local;
    private final List<IpPrefix> localRoutes;
    private final boolean routing;
    private final int localMux;
    private final Map<Integer, ConnectionRecord> records = new HashMap<>();
    private final Map<Integer, Connection> connections = new HashMap<>();

    /**
     * @param local       the command line's own connection ({@code -r} with {@code -m}), or null
     * @param localMux    the command line's {@code -m}
     * @param localRoutes {@code -R} prefixes, routed to {@code localMux}
     * @param routing     whether outgoing packets pick their connection by destination (anytun: tun devices only);
     *                    without routing they all go to the lowest mux
     */
    public ControlledConnections(CtrAlgorithm cipher, AuthAlgorithm auth, int tagLength, int senderId,
                                 DeviceType deviceType, Connection local, int localMux, List<IpPrefix> localRoutes,
                                 boolean routing) {
        this.routing = routing;
        this.localMux = localMux;
        this.cipher = cipher;
        this.auth = auth;
        this.tagLength = tagLength;
        this.senderId = senderId;
        this.deviceType = deviceType;
        this.local = local;
        this.localRoutes = List.copyOf(localRoutes);
    }

    /**
     * Builds the table for a complete set of served connections and routes.
     *
     * @param problems receives one message per entry that could not be used (e.g. a key of the wrong size)
     */
    public ConnectionTable apply(List<ConnectionRecord> served, List<RouteRecord> routes, Consumer<String> problems) {
        Map<Integer, Connection> next = new HashMap<>();
        Map<Integer, ConnectionRecord> nextRecords = new HashMap<>();
        RouteTable<Integer> table = new RouteTable<>();
        if (local != null) {
            next.put(local.mux(), local);
        }
        // -R binds to the process's -m even without a local connection: a served connection may have that mux
        localRoutes.forEach(p -> table.put(p, localMux));

        for (ConnectionRecord r : served) {
            Connection existing = connections.get(r.mux());
            Connection c = existing != null && sameKeys(r, records.get(r.mux())) ? existing : create(r, existing,
                    problems);
            if (c == null) {
                continue;
            }
            try {
                InetSocketAddress endpoint = r.remoteEndpoint();
                if (endpoint != null) {
                    c.setRemote(endpoint); // an unset endpoint keeps what was learned
                }
            } catch (UnknownHostException e) {
                problems.accept("connection " + r.mux() + ": endpoint ignored: " + e.getMessage());
            }
            next.put(r.mux(), c);
            nextRecords.put(r.mux(), r);
        }
        for (RouteRecord r : routes) {
            table.put(r.prefix(), r.mux());
        }
        connections.clear();
        connections.putAll(next);
        records.clear();
        records.putAll(nextRecords);
        if (!routing) {
            return ConnectionTable.of(next.values(), null);
        }
        return ConnectionTable.of(next.values(), (buf, off, len) -> {
            Integer mux = table.lookupDestination(buf, off, len);
            return mux == null ? -1 : mux;
        });
    }

    private Connection create(ConnectionRecord r, Connection previous, Consumer<String> problems) {
        try {
            CtrAlgorithm kd = cipher == CtrAlgorithm.NULL && auth == AuthAlgorithm.NULL ? CtrAlgorithm.NULL
                    : CtrAlgorithm.ofKeyBits(r.keyLength()).orElseThrow();
            CryptoSuite suite = CryptoSuite.of(cipher, kd, auth, tagLength, r.masterKey(), r.masterSalt(), null);
            SatpSession session = new SatpSession(suite, r.role(), senderId, r.mux(), deviceType,
                    Math.min(r.windowSize(), org.janytun.session.ReplayProtection.MAX_WINDOW));
            session.setNextSeq((int) r.seqNr());
            return new Connection(session, previous != null ? previous.remote() : null);
        } catch (IllegalArgumentException e) {
            problems.accept("connection " + r.mux() + " not usable: " + e.getMessage());
            return null;
        }
    }

    /** Same keys, role and window: the connection can keep its counters, windows and learned endpoint. */
    private static boolean sameKeys(ConnectionRecord a, ConnectionRecord b) {
        return b != null && a.role() == b.role() && a.keyLength() == b.keyLength()
                && Arrays.equals(a.masterKey(), b.masterKey()) && Arrays.equals(a.masterSalt(), b.masterSalt())
                && a.windowSize() == b.windowSize();
    }
}
