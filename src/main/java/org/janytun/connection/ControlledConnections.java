package org.janytun.connection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.device.DeviceType;
import org.janytun.session.SatpSession;

/**
 * Turns the connections and routes a control daemon serves into the daemon's {@link ConnectionTable}. Each table
 * received is taken as the whole truth: connections and routes that are gone are dropped (the reference keeps
 * them until restart). A connection whose keys did not change is kept as it is, with its sequence counter,
 * replay windows and learned endpoint, so a reload never makes clients drop our packets as replays (the
 * reference resets every counter to the served value, SYNC.md §2.2).
 *
 * <p>Used from one thread (the control client's).
 */
public final class ControlledConnections {
    private final CtrAlgorithm cipher;
    private final AuthAlgorithm auth;
    private final int tagLength;
    private final int senderId;
    private final DeviceType deviceType;
    private final List<PrefixRouter.Route> localRoutes;
    private final Connection local;
    private final Map<Integer, Peer> peers = new HashMap<>();
    private final Map<Integer, Connection> connections = new HashMap<>();

    /**
     * @param local       the command line's own connection ({@code -r} with {@code -m}), or null
     * @param localRoutes {@code -R} prefixes, routed to the command line's {@code -m}
     */
    public ControlledConnections(CtrAlgorithm cipher, AuthAlgorithm auth, int tagLength, int senderId,
                                 DeviceType deviceType, Connection local, List<PrefixRouter.Route> localRoutes) {
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
     * @param problems receives one message per connection that could not be used (e.g. a key of the wrong size)
     */
    public ConnectionTable apply(List<Peer> served, List<PrefixRouter.Route> routes, Consumer<String> problems) {
        Map<Integer, Connection> next = new HashMap<>();
        Map<Integer, Peer> nextPeers = new HashMap<>();
        if (local != null) {
            next.put(local.mux(), local);
        }
        for (Peer p : served) {
            Connection existing = connections.get(p.mux());
            Connection c;
            if (existing != null && p.sameKeysAs(peers.get(p.mux()))) {
                c = existing;
            } else {
                try {
                    CtrAlgorithm kd = cipher == CtrAlgorithm.NULL && auth == AuthAlgorithm.NULL ? CtrAlgorithm.NULL
                            : p.kdPrf();
                    CryptoSuite suite = CryptoSuite.of(cipher, kd, auth, tagLength, p.masterKey(), p.masterSalt(),
                            null);
                    SatpSession session = new SatpSession(suite, p.role(), senderId, p.mux(), deviceType,
                            p.windowSize());
                    session.setNextSeq(p.seq());
                    c = new Connection(session, existing != null ? existing.remote() : null);
                } catch (IllegalArgumentException e) {
                    problems.accept("connection " + p.mux() + " not usable: " + e.getMessage());
                    continue;
                }
            }
            if (p.endpoint() != null) {
                c.setRemote(p.endpoint());
            }
            next.put(p.mux(), c);
            nextPeers.put(p.mux(), p);
        }
        connections.clear();
        connections.putAll(next);
        peers.clear();
        peers.putAll(nextPeers);
        List<PrefixRouter.Route> all = new ArrayList<>(localRoutes);
        all.addAll(routes);
        return ConnectionTable.of(next.values(), new PrefixRouter(all));
    }
}
