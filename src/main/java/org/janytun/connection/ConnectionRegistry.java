package org.janytun.connection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.wire.DeviceType;
import org.janytun.address.InetText;
import org.janytun.route.IpPrefix;
import org.janytun.route.RouteTable;
import org.janytun.session.ReplayProtection;
import org.janytun.session.SatpSession;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncRecord;
import org.janytun.sync.TableDrop;

/**
 * Every connection and route the daemon knows, from each of its sources, and the {@link ConnectionTable} built
 * from them:
 * <ul>
 *   <li><b>the command line</b>: the {@code -m} connection and the {@code -R} routes; never removed;</li>
 *   <li><b>a control host</b> ({@code -X}): each table it serves is the whole truth, so connections and routes it
 *       no longer serves are dropped (the reference keeps them until restart);</li>
 *   <li><b>cluster peers</b> ({@code -M}): records are merged, create-or-update, and never deleted, as anytun
 *       does, since a peer only ever sends what it knows.</li>
 * </ul>
 * A record for a connection we have with the same keys keeps the connection as it is (its replay windows and
 * learned endpoint); its sequence counter only ever moves forward ({@link SatpSession#advanceSeqTo}), so neither a
 * control daemon's 0 nor a peer's counter makes our clients drop our packets as replays (the reference overwrites
 * it, SYNC.md §6.3); see {@link #SEQ_LEAD} for the margins kept towards anytun peers. An endpoint of {@code 0.0.0.0}/{@code ::} means "unknown" and keeps the one we know.
 *
 * <p>Cipher, auth algorithm and tag length are process-wide (they are not in the records), as in anytun. Thread-safe:
 * every method is synchronized, and none is called from a packet loop.
 */
public final class ConnectionRegistry {
    /** Where a connection or route came from: decides whether a served control table may remove it. */
    private enum Origin { LOCAL, CONTROL, SYNC, OPERATOR, SESSION }

    /**
     * A connection and the record that describes it (keys, role, window; seq and endpoint are read live); an
     * SATP-session peer's has no record (its keys are its handshakes', never told to anyone).
     */
    private record Entry(Connection connection, ConnectionRecord template, Origin origin, boolean heardFromPeer) {}

    private record RouteEntry(RouteRecord record, Origin origin) {}

    /**
     * How far ahead of our own counter the counter we tell peers is, and how far past a peer's counter we start a
     * connection we first hear of from a peer. anytun overwrites its own outgoing counter with the one in a record
     * (SYNC.md §1.7): told our exact counter, a peer that has sent more packets since we last heard from it would
     * go back and reuse sequence numbers, which its clients drop as replays. And a node that replaces another with
     * the same sender id must start past its predecessor's counter, which the clients' windows remember. 2^20
     * packets is more than a node sends in the 10 s between a peer's reconnects; a forward jump costs nothing, as
     * receivers accept any newer number, and happens only when records are exchanged (a reconnect, an endpoint
     * change).
     */
    public static final int SEQ_LEAD = 1 << 20;

    /**
     * How long a connection whose key a control host or cluster peer changed still accepts the previous key: the
     * client may switch later than we do (janytun-ctl's set-key default).
     */
    public static final java.time.Duration ROTATION_GRACE = java.time.Duration.ofSeconds(120);

    private final CtrAlgorithm cipher;
    private final AuthAlgorithm auth;
    private final int tagLength;
    private final int senderId;
    private final DeviceType deviceType;
    private final boolean routing;
    private final Map<Integer, Entry> entries = new HashMap<>();
    private final Map<IpPrefix, RouteEntry> routes = new LinkedHashMap<>();
    /** {@link #routes} by longest prefix, kept current one change at a time; each table takes a snapshot of it. */
    private final RouteTable<Integer> routeTable = new RouteTable<>();
    /** Routes put since {@link #routeTable} was last updated: a table's routes go in as one batch. */
    private final Map<IpPrefix, Integer> routePuts = new LinkedHashMap<>();
    private ConnectionTable table;
    private Consumer<ConnectionTable> sink = t -> { };
    private SessionStart sessionStart = s -> { };
    /** Connections created by the apply or merge under way, committed together ({@link SessionStart#commit}). */
    private final List<Connection> started = new ArrayList<>();

    /** What is done to each session this registry creates before it is used (the daemon: the sequence lease). */
    @FunctionalInterface
    public interface SessionStart {
        void starting(SatpSession session) throws IOException;

        /** After the sessions of one table or batch are started, before it is published (one disk sync for all). */
        default void commit() throws IOException {
        }
    }

    /**
     * @param local       the command line's own connection ({@code -m}, with or without {@code -r}), or null
     * @param localMux    the command line's {@code -m}
     * @param localRoutes {@code -R} prefixes, routed to {@code localMux}
     * @param routing     whether outgoing packets pick their connection by destination (anytun: tun devices with a
     *                    control or sync host only); without routing they all go to the lowest mux
     */
    /** Links (transport sockets) each connection gets a path on: more than one with RAIL. */
    private int links = 1;
    /** The most connections held ({@code --capacity}): a larger served table is refused whole. */
    private int capacity = Integer.MAX_VALUE;
    private boolean spread;
    /** Depth of {@link #batch} calls under way: tables are built once at the end. */
    private int batching;
    /** The control host's last table or change was refused: a change to it does not apply to what we hold. */
    private boolean controlBehind;

    public ConnectionRegistry(CtrAlgorithm cipher, AuthAlgorithm auth, int tagLength, int senderId,
                              DeviceType deviceType, Connection local, int localMux, List<IpPrefix> localRoutes,
                              boolean routing) {
        this.routing = routing;
        this.cipher = cipher;
        this.auth = auth;
        this.tagLength = tagLength;
        this.senderId = senderId;
        this.deviceType = deviceType;
        if (local != null) {
            entries.put(local.mux(), new Entry(local, templateOf(local), Origin.LOCAL, false));
        }
        // -R binds to the process's -m even without a local connection: a served connection may have that mux
        for (IpPrefix p : localRoutes) {
            routes.put(p, new RouteEntry(new RouteRecord(p.address(), p.length(), localMux), Origin.LOCAL));
            routeTable.put(p, localMux);
        }
        table = build();
    }

    /** The record that describes a command-line connection: what a cluster peer learns of it. */
    private static ConnectionRecord templateOf(Connection c) {
        return templateOf(c, c.session());
    }

    private static ConnectionRecord templateOf(Connection c, SatpSession s) {
        if (!(s.suite() instanceof CryptoSuite suite)) {
            throw new IllegalStateException("cluster peers and control hosts know only the legacy SATP suite");
        }
        boolean nullKd = suite.kdPrf() == CtrAlgorithm.NULL;
        return ConnectionRecord.withoutEndpoint(c.mux(), s.localRole(), nullKd ? 0 : suite.kdPrf().keyBits(),
                nullKd ? new byte[0] : suite.masterSalt(), nullKd ? new byte[0] : suite.masterKey(),
                s.windowSize());
    }

    /**
     * Hands every new table to {@code sink} (the forwarder), under this registry's lock: tables built from two
     * sources at once (a control host and a cluster peer) are installed in the order they were built, so an older
     * one never overwrites a newer one.
     */
    public synchronized void publishTo(Consumer<ConnectionTable> sink) {
        this.sink = sink;
    }

    /** Runs {@code start} on every session created from now on, before it is published; a failure drops it. */
    public synchronized void onSessionStart(SessionStart start) {
        this.sessionStart = start;
    }

    /** The table built from everything known now. */
    public synchronized ConnectionTable table() {
        return table;
    }

    /**
     * Takes a complete table served by the control host: what it no longer serves is dropped.
     *
     * @param problems receives one message per entry that could not be used (e.g. a key of the wrong size)
     * @return the new table
     */
    public synchronized ConnectionTable apply(List<ConnectionRecord> served, List<RouteRecord> servedRoutes,
                                              Consumer<String> problems) {
        BitSet servedMuxes = new BitSet(1 << 16);
        served.forEach(r -> servedMuxes.set(r.mux()));
        long local = entries.values().stream()
                .filter(e -> e.origin != Origin.CONTROL && !servedMuxes.get(e.connection.mux())).count();
        if (servedMuxes.cardinality() + local > capacity) {
            problems.accept("the served table of " + servedMuxes.cardinality() + " connections is beyond --capacity "
                    + capacity + ": refused, the current table of " + entries.size() + " stays");
            controlBehind = true;
            return table;
        }
        controlBehind = false;
        entries.values().removeIf(e -> e.origin == Origin.CONTROL && !servedMuxes.get(e.connection.mux()));
        Set<IpPrefix> servedPrefixes = servedRoutes.stream().map(RouteRecord::prefix).collect(Collectors.toSet());
        routes.entrySet().removeIf(e -> {
            boolean gone = e.getValue().origin == Origin.CONTROL && !servedPrefixes.contains(e.getKey());
            if (gone) {
                removeFromTrie(e.getKey());
            }
            return gone;
        });
        served.forEach(r -> upsert(r, Origin.CONTROL, problems));
        servedRoutes.forEach(r -> putRoute(r, Origin.CONTROL));
        commitStarted(problems);
        return rebuild();
    }

    /**
     * Takes a change to the table the control host served before ({@link org.janytun.sync.TableChange}): the records
     * that are new or changed, and those no longer served. It costs what changed (and the table's publication),
     * not what stayed: a reload that changes one record of 65,535 touches one connection.
     *
     * @return the new table, or null when the change does not apply to what this registry holds because the
     *         control host's last table or change was refused: the caller then fetches the whole table again
     */
    public synchronized ConnectionTable applyChange(List<ConnectionRecord> changed, List<RouteRecord> changedRoutes,
                                                    List<TableDrop> drops, Consumer<String> problems) {
        if (controlBehind) {
            return null;
        }
        BitSet added = new BitSet(1 << 16);
        changed.forEach(r -> added.set(r.mux()));
        int grows = 0;
        for (int mux = added.nextSetBit(0); mux >= 0; mux = added.nextSetBit(mux + 1)) {
            grows += entries.containsKey(mux) ? 0 : 1;
        }
        for (TableDrop d : drops) {
            Entry e = d.route() == null ? entries.get(d.mux()) : null;
            grows -= e != null && e.origin == Origin.CONTROL && !added.get(d.mux()) ? 1 : 0;
        }
        if (entries.size() + grows > capacity) {
            problems.accept("the changed table of " + (entries.size() + grows) + " connections is beyond --capacity "
                    + capacity + ": refused, the current table of " + entries.size() + " stays");
            controlBehind = true;
            return table;
        }
        for (TableDrop d : drops) {
            if (d.route() == null) {
                Entry e = entries.get(d.mux());
                if (e != null && e.origin == Origin.CONTROL) {
                    entries.remove(d.mux());
                }
            } else {
                IpPrefix prefix = d.prefix();
                RouteEntry r = routes.get(prefix);
                if (r != null && r.origin == Origin.CONTROL) {
                    routes.remove(prefix);
                    removeFromTrie(prefix);
                }
            }
        }
        changed.forEach(r -> upsert(r, Origin.CONTROL, problems));
        changedRoutes.forEach(r -> putRoute(r, Origin.CONTROL));
        commitStarted(problems);
        return rebuild();
    }

    /** Commits the sessions created since the last call; if that fails, none of them is used. */
    private void commitStarted(Consumer<String> problems) {
        if (started.isEmpty()) {
            return;
        }
        try {
            sessionStart.commit();
        } catch (IOException e) {
            problems.accept(started.size() + " new connections not usable: " + e.getMessage());
            for (Connection c : started) {
                Entry entry = entries.get(c.mux());
                if (entry != null && entry.connection == c) {
                    entries.remove(c.mux());
                }
            }
        } finally {
            started.clear();
        }
    }

    /**
     * Merges records a cluster peer sent: create-or-update, nothing is removed.
     *
     * @return the new table
     */
    public synchronized ConnectionTable merge(List<? extends SyncRecord> records, Consumer<String> problems) {
        int refused = 0;
        for (SyncRecord r : records) {
            switch (r) {
                case ConnectionRecord c when entries.size() >= capacity && !entries.containsKey(c.mux()) -> refused++;
                case ConnectionRecord c -> upsert(c, Origin.SYNC, problems);
                case RouteRecord rr -> putRoute(rr, Origin.SYNC);
                default -> { }
            }
        }
        if (refused > 0) {
            problems.accept(refused + " connections from a cluster peer refused: beyond --capacity " + capacity
                    + " (this node holds " + entries.size() + ")");
        }
        commitStarted(problems);
        return rebuild();
    }

    private void putRoute(RouteRecord r, Origin origin) {
        IpPrefix prefix = r.prefix();
        RouteEntry old = routes.get(prefix);
        // a route from the command line stays the command line's (it is never removed) even if a peer repeats it
        Origin keep = old != null && old.origin == Origin.LOCAL ? Origin.LOCAL : origin;
        if (old != null && old.origin == keep && old.record.mux() == r.mux()) {
            return; // unchanged: a reload of a large table touches only what changed
        }
        routes.put(prefix, new RouteEntry(r, keep));
        if (old == null || old.record.mux() != r.mux()) {
            routePuts.put(prefix, r.mux()); // into the trie with the others (flushRoutes)
        }
    }

    private void upsert(ConnectionRecord r, Origin origin, Consumer<String> problems) {
        Entry old = entries.get(r.mux());
        if (old != null && old.origin == Origin.SESSION) {
            problems.accept("connection " + r.mux() + ": the mux is an SATP-session peer's, the static-key record is"
                    + " not used");
            return;
        }
        boolean firstFromPeer = origin == Origin.SYNC && (old == null || !old.heardFromPeer);
        Connection c;
        if (old != null && sameKeys(r, old.template)) {
            c = old.connection;
            c.session().advanceSeqTo((int) r.seqNr());
        } else if (old != null && rotatable(r, old.template)) {
            // new keys for a connection we have: rotate in place, the previous key still accepted for a while,
            // so that packets the client sealed before it switched are not lost (and counters and paths stay)
            c = old.connection;
            CryptoSuite suite = suiteOf(r, problems);
            if (suite == null) {
                return;
            }
            c.rotate(c.session().rekeyed(suite), origin == Origin.CONTROL ? "control host" : "cluster peer",
                    ROTATION_GRACE);
            c.session().advanceSeqTo((int) r.seqNr());
        } else {
            // with the lead below from the start, so that the session's first reserved block covers it
            c = create(r, old == null ? null : old.connection, firstFromPeer ? SEQ_LEAD : 0, problems);
            if (c == null) {
                return;
            }
            c.keySource(switch (origin) {
                case CONTROL -> "control host";
                case OPERATOR -> "janytun-ctl";
                default -> "cluster peer";
            });
        }
        try {
            InetSocketAddress endpoint = r.remoteEndpoint();
            if (endpoint != null) {
                c.setRemote(endpoint); // an unset endpoint keeps what was learned
            }
        } catch (UnknownHostException e) {
            problems.accept("connection " + r.mux() + ": endpoint ignored: " + e.getMessage());
        }
        if (firstFromPeer && old != null && c == old.connection) {
            // A node that starts (or restarts) may have a predecessor with our sender id whose packets the
            // clients still remember: start past what the cluster has sent, with the same lead as we tell it
            // (a connection made just now started there already).
            c.session().advanceSeqTo((int) r.seqNr() + SEQ_LEAD);
        }
        Origin keep = old != null && old.origin == Origin.LOCAL ? Origin.LOCAL : origin;
        boolean heard = origin == Origin.SYNC || (old != null && old.heardFromPeer);
        if (old != null && old.connection == c && old.origin == keep && old.heardFromPeer == heard
                && sameKeys(r, old.template)) {
            return; // the same connection as before: a reload of a large table touches only what changed
        }
        ConnectionRecord template = r.endpointUnset() ? r : r.withRemote(ConnectionRecord.UNSET_HOST, 0);
        entries.put(r.mux(), new Entry(c, template, keep, heard));
    }

    /** Same role and window, other keys: the connection can rotate to them. */
    private static boolean rotatable(ConnectionRecord a, ConnectionRecord b) {
        return b != null && a.role() == b.role() && a.windowSize() == b.windowSize();
    }

    /** The suite of a record (the process's cipher, auth and tag length), or null with a message. */
    private CryptoSuite suiteOf(ConnectionRecord r, Consumer<String> problems) {
        try {
            CtrAlgorithm kd = cipher == CtrAlgorithm.NULL && auth == AuthAlgorithm.NULL ? CtrAlgorithm.NULL
                    : CtrAlgorithm.ofKeyBits(r.keyLength()).orElseThrow(() -> new IllegalArgumentException(
                            "a key of " + r.keyLength() + " bits"));
            return CryptoSuite.of(cipher, kd, auth, tagLength, r.masterKey(), r.masterSalt(), null);
        } catch (IllegalArgumentException e) {
            problems.accept("connection " + r.mux() + " not usable: " + e.getMessage());
            return null;
        }
    }

    private Connection create(ConnectionRecord r, Connection previous, int lead, Consumer<String> problems) {
        CryptoSuite suite = suiteOf(r, problems);
        if (suite == null) {
            return null;
        }
        try {
            SatpSession session = new SatpSession(suite, r.role(), senderId, r.mux(), deviceType,
                    Math.min(r.windowSize(), ReplayProtection.MAX_WINDOW));
            session.setNextSeq((int) r.seqNr() + lead);
            if (previous != null) {
                session.advanceSeqTo(previous.session().nextSeq()); // new keys, but never an old sequence number
            }
            sessionStart.starting(session);
            Connection c = spread ? Connection.spreading(session, pathsLike(previous))
                    : Connection.of(session, pathsLike(previous));
            started.add(c);
            return c;
        } catch (IllegalArgumentException | IOException e) {
            problems.accept("connection " + r.mux() + " not usable: " + e.getMessage());
            return null;
        }
    }

    /**
     * A connection added by the operator ({@code janytun-ctl add}): like one a control host serves, but a served
     * table does not remove it; it stays until {@link #remove}d (or replaced by a record for its mux).
     *
     * @return false (and a message to {@code problems}) when the record cannot be used
     */
    public synchronized boolean addByOperator(ConnectionRecord r, Consumer<String> problems) {
        Entry old = entries.get(r.mux());
        if (old != null && old.origin == Origin.LOCAL) {
            problems.accept("mux " + r.mux() + " is the command line's connection: change the configuration and"
                    + " reload, or use set-key");
            return false;
        }
        if (old == null && entries.size() >= capacity) {
            problems.accept("this node holds " + entries.size() + " connections, its --capacity");
            return false;
        }
        boolean[] ok = {true};
        Consumer<String> failed = m -> {
            ok[0] = false;
            problems.accept(m);
        };
        upsert(r, Origin.OPERATOR, failed);
        commitStarted(failed);
        rebuild();
        return ok[0];
    }

    /**
     * Removes connection {@code mux} and the routes to it (not the command line's own: that one changes through
     * the configuration).
     *
     * @return why not, or null once removed
     */
    public synchronized String remove(int mux) {
        Entry e = entries.get(mux);
        if (e == null) {
            return "no connection with mux " + mux;
        }
        if (e.origin == Origin.LOCAL) {
            return "mux " + mux + " is the command line's connection: change the configuration and reload";
        }
        if (e.origin == Origin.SESSION) {
            return "mux " + mux + " is an SATP-session peer's";
        }
        entries.remove(mux);
        removeRoutesIf(r -> r.record.mux() == mux && r.origin != Origin.LOCAL);
        rebuild();
        return null;
    }

    /**
     * An SATP-session peer's connection and the routes to it (a server with {@code --peers}): its keys come from its
     * handshakes, so neither a control host's table nor a cluster peer changes or learns it; it stays until
     * {@link #removeSession}.
     *
     * @return null, or why not (its mux is taken, the node is at its capacity)
     */
    public synchronized String addSession(Connection c, List<IpPrefix> prefixes) {
        Entry old = entries.get(c.mux());
        if (old != null) {
            return "mux " + c.mux() + " is taken by a " + switch (old.origin) {
                case LOCAL -> "command-line connection";
                case CONTROL -> "connection from the control host";
                case SYNC -> "connection from a cluster peer";
                case OPERATOR -> "connection added by janytun-ctl";
                case SESSION -> "SATP-session peer";
            };
        }
        if (entries.size() >= capacity) {
            return "this node holds " + entries.size() + " connections, its --capacity";
        }
        entries.put(c.mux(), new Entry(c, null, Origin.SESSION, false));
        prefixes.forEach(p -> putRoute(new RouteRecord(p.address(), p.length(), c.mux()), Origin.SESSION));
        rebuild();
        return null;
    }

    /** Takes an SATP-session peer's connection and its routes out of the table. */
    public synchronized void removeSession(Connection c) {
        Entry e = entries.get(c.mux());
        if (e != null && e.connection == c) {
            entries.remove(c.mux());
            removeRoutesIf(r -> r.record.mux() == c.mux() && r.origin == Origin.SESSION);
            rebuild();
        }
    }

    /** An SATP-session peer's routes, re-read: they replace its previous ones. */
    public synchronized void rerouteSession(Connection c, List<IpPrefix> prefixes) {
        removeRoutesIf(r -> r.record.mux() == c.mux() && r.origin == Origin.SESSION);
        prefixes.forEach(p -> putRoute(new RouteRecord(p.address(), p.length(), c.mux()), Origin.SESSION));
        rebuild();
    }

    /** A route the operator adds ({@code janytun-ctl add route=}): kept until removed, like a connection. */
    public synchronized void addRouteByOperator(RouteRecord r) {
        putRoute(r, Origin.OPERATOR);
        rebuild();
    }

    /** Removes the route for {@code prefix}, whoever gave it; false when there is none. */
    public synchronized boolean removeRoute(IpPrefix prefix) {
        if (routes.remove(prefix) == null) {
            return false;
        }
        removeFromTrie(prefix);
        rebuild();
        return true;
    }

    /** The command line's {@code -R} routes, re-read: they replace the previous ones (reload). */
    public synchronized void setLocalRoutes(List<IpPrefix> prefixes, int localMux) {
        removeRoutesIf(r -> r.origin == Origin.LOCAL);
        for (IpPrefix p : prefixes) {
            routes.put(p, new RouteEntry(new RouteRecord(p.address(), p.length(), localMux), Origin.LOCAL));
            routePuts.put(p, localMux);
        }
        rebuild();
    }

    /** Removes the routes that match, from the map and the lookup table both. */
    private void removeRoutesIf(java.util.function.Predicate<RouteEntry> gone) {
        routes.entrySet().removeIf(e -> {
            boolean remove = gone.test(e.getValue());
            if (remove) {
                removeFromTrie(e.getKey());
            }
            return remove;
        });
    }

    /**
     * After the key of connection {@code mux} changed in place ({@code set-key}, a reload): what peers are told of
     * it follows the connection's sealing key from now on. Returns the record to tell them, or null.
     */
    public synchronized ConnectionRecord rekeyed(int mux) {
        Entry e = entries.get(mux);
        if (e == null || !(e.connection.session().suite() instanceof CryptoSuite)) {
            return null;
        }
        SatpSession newest = e.connection.next() != null ? e.connection.next() : e.connection.session();
        entries.put(mux, new Entry(e.connection, templateOf(e.connection, newest), e.origin, e.heardFromPeer));
        return current(entries.get(mux));
    }

    /** A path per link, each keeping the endpoint the previous connection had learned there. */
    private Path[] pathsLike(Connection previous) {
        Path[] paths = new Path[links];
        for (int i = 0; i < links; i++) {
            Path old = previous == null ? null : previous.pathOn(i);
            paths[i] = new Path(i, old == null ? null : old.remote());
        }
        return paths;
    }

    /**
     * RAIL: the connections made from now on get a path on each of {@code n} links (the endpoint of each learned
     * from the client's packets on it), and send on all of them or ({@code spread}) on one in turn. Call before the
     * first table is loaded.
     */
    public synchronized void setLinks(int n, boolean spread) {
        if (n < 1) {
            throw new IllegalArgumentException("a connection needs a link");
        }
        this.links = n;
        this.spread = spread;
    }

    /**
     * {@code --capacity}: a served table of more connections is refused (the current one stays), and a cluster peer's
     * connections beyond it are not taken.
     */
    public synchronized void setCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    /** Same keys, role and window: the connection can keep its counters, windows and learned endpoint. */
    private static boolean sameKeys(ConnectionRecord a, ConnectionRecord b) {
        return b != null && a.role() == b.role() && a.keyLength() == b.keyLength()
                && Arrays.equals(a.masterKey(), b.masterKey()) && Arrays.equals(a.masterSalt(), b.masterSalt())
                && a.windowSize() == b.windowSize();
    }

    /**
     * Runs {@code edits} (calls of this registry's methods) and publishes one table at the end instead of one per
     * edit: a peers file of thousands of SATP-session peers costs one table build, not one per peer.
     */
    public synchronized void batch(Runnable edits) {
        batching++;
        try {
            edits.run();
        } finally {
            if (--batching == 0) {
                rebuild();
            }
        }
    }

    /** Puts the routes collected since the last time into the trie, as one batch. */
    private void flushRoutes() {
        if (!routePuts.isEmpty()) {
            routeTable.putAll(routePuts);
            routePuts.clear();
        }
    }

    /** Removes {@code prefix} from the trie, after the puts that came before. */
    private void removeFromTrie(IpPrefix prefix) {
        flushRoutes();
        routeTable.remove(prefix);
    }

    private ConnectionTable rebuild() {
        if (batching > 0) {
            return table; // published once the batch ends
        }
        table = build();
        sink.accept(table);
        return table;
    }

    private ConnectionTable build() {
        List<Connection> all = entries.values().stream().map(Entry::connection).toList();
        if (!routing) {
            return ConnectionTable.of(all, null);
        }
        flushRoutes();
        RouteTable.Frozen<Integer> rt = routeTable.frozen();
        return ConnectionTable.of(all, (buf, off, len) -> {
            Integer mux = rt.lookupDestination(buf, off, len);
            return mux == null ? -1 : mux;
        });
    }

    /**
     * What this node knows, as a cluster peer is told on connecting (SYNC.md §1.6): every connection in ascending
     * mux order, with its sequence counter ({@link #SEQ_LEAD} ahead) and endpoint; then the IPv4 routes and then the
     * IPv6 routes, each by prefix length and address.
     */
    public synchronized List<SyncRecord> dump() {
        List<SyncRecord> out = new ArrayList<>(entries.size() + routes.size());
        for (int mux : entries.keySet().stream().mapToInt(Integer::intValue).sorted().toArray()) {
            Entry e = entries.get(mux);
            if (e.template != null) { // an SATP-session peer's keys are its handshakes', never told
                out.add(current(e));
            }
        }
        sortedRoutes().filter(r -> routes.get(r.prefix()).origin != Origin.SESSION).forEach(out::add);
        return out;
    }

    /** The routes in use when routing is on, as {@code prefix>mux}, longest-prefix order aside (for show). */
    public synchronized List<String> routeSummary() {
        if (!routing) {
            return List.of();
        }
        return sortedRoutes().map(r -> r.prefix() + ">" + r.mux()).toList();
    }

    /** The routes in {@link IpPrefix#DUMP_ORDER}, by the prefixes they are kept under (not made again to sort). */
    private java.util.stream.Stream<RouteRecord> sortedRoutes() {
        return routes.entrySet().stream().sorted(Map.Entry.comparingByKey(IpPrefix.DUMP_ORDER))
                .map(e -> e.getValue().record);
    }

    /** The record of one connection as it is now, or null: what peers are told when its endpoint changes. */
    public synchronized ConnectionRecord record(int mux) {
        Entry e = entries.get(mux);
        return e == null || e.template == null ? null : current(e);
    }

    private static ConnectionRecord current(Entry e) {
        int told = e.connection.session().nextSeq() + SEQ_LEAD;
        ConnectionRecord r = e.template.withSeqNr(Integer.toUnsignedLong(told));
        InetSocketAddress remote = e.connection.remote();
        if (remote == null || remote.getAddress() == null) {
            return r;
        }
        String host = InetText.format(remote.getAddress().getAddress());
        return r.withRemote(host, remote.getPort());
    }
}
