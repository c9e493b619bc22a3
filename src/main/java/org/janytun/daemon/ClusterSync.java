package org.janytun.daemon;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.janytun.address.InetText;
import org.janytun.config.SyncSettings;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionRegistry;
import org.janytun.connection.ConnectionTable;
import org.janytun.log.RateLimitedLog;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncRecord;
import org.janytun.syncio.ClusterSecret;
import org.janytun.syncio.SyncClient;
import org.janytun.syncio.SyncGuard;
import org.janytun.syncio.SyncServer;
import org.janytun.address.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's part in an anycast cluster (anytun's {@code -S}, {@code -I}, {@code -M}; SYNC.md §1): the listener that
 * gives every connecting peer what this node knows and then each endpoint change, and one connector per
 * {@code -M} host whose records are merged into the {@link ConnectionRegistry} (which publishes each new table).
 *
 * <p>Endpoint changes come from the packet threads ({@link #endpointChanged}); they are handed to a thread of
 * their own at once, so neither the encoding nor a slow peer ever holds up a packet.
 */
final class ClusterSync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("janytun.sync");

    private final SyncSettings settings;
    private final ConnectionRegistry registry;
    private final SyncCodec codec;
    private final SyncGuard guard;
    private final SyncServer listener;
    private final List<SyncClient> connectors = new ArrayList<>();
    private final Set<Integer> pushPending = ConcurrentHashMap.newKeySet();
    /** Endpoint changes come as fast as peers move (and outsiders can make them move): one line per 10 s. */
    private final RateLimitedLog pushLog = new RateLimitedLog(Duration.ofSeconds(10));
    private final ExecutorService pushes = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("janytun-sync-push").daemon().unstarted(r));

    /**
     * Reads the secret and binds the listener: call before the chroot and the privilege drop.
     *
     * @param warnings receives start-up warnings
     * @throws IOException when the secret cannot be read or the port cannot be bound
     */
    ClusterSync(SyncSettings settings, ConnectionRegistry registry, List<String> warnings) throws IOException {
        this.settings = settings;
        this.registry = registry;
        this.codec = new SyncCodec(settings.archiveVersion());
        this.guard = settings.secretFile().isPresent()
                ? ClusterSecret.read(Path.of(settings.secretFile().get()), warnings) : SyncGuard.PLAIN;
        if (settings.port().isPresent()) {
            InetSocketAddress bind = settings.bindAddress().isPresent()
                    ? new InetSocketAddress(InetAddress.getByName(settings.bindAddress().get()),
                            settings.port().getAsInt())
                    : new InetSocketAddress(settings.port().getAsInt());
            listener = new SyncServer("sync", bind, guard, this::dump);
            if (!guard.isProtected() && !bind.getAddress().isLoopbackAddress()) {
                warnings.add("the sync port " + InetText.format(listener.localAddress()) + " gives every"
                        + " connection's master key, in clear, to anyone who connects (anytun's protocol): bind it to"
                        + " a private address with -I and firewall it, or use --sync-secret-file between janytun"
                        + " nodes");
            }
        } else {
            listener = null;
        }
    }

    /** Starts listening and connecting: after the privilege drop. */
    void start() {
        if (listener != null) {
            listener.start();
        }
        for (HostPort peer : settings.peers()) {
            SyncClient c = SyncClient.forRecords(peer, guard, this::merge, SyncClient.RETRY);
            connectors.add(c);
            c.start();
        }
        log.info("cluster sync: {}; {} {}", guard, settings.peers().isEmpty() ? "no peers to take state from"
                : "taking state from", settings.peers().isEmpty() ? "" : settings.peers());
    }

    private void merge(List<SyncRecord> records) {
        long t0 = System.nanoTime();
        ConnectionTable t = registry.merge(records, log::warn); // the registry hands the new table to the forwarder
        if (records.size() >= 100) { // a peer's dump, not an endpoint change
            log.info("sync: {} records merged, {} connections in use ({} ms)", records.size(),
                    t.connections().size(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private byte[] dump() {
        return frames(registry.dump());
    }

    /** The records as consecutive sync frames. */
    private byte[] frames(List<? extends SyncRecord> records) {
        return codec.encodeFrames(records);
    }

    /**
     * From a packet thread: the connection's endpoint moved; peers are told soon after. Never blocks. Changes that
     * come faster than they are pushed coalesce (a mux waits at most once), so the queue stays bounded.
     */
    void endpointChanged(Connection c) {
        if (listener == null || !pushPending.add(c.mux())) {
            return;
        }
        try {
            pushes.execute(() -> push(c.mux()));
        } catch (RejectedExecutionException closing) {
            // shutting down
        }
    }

    private void push(int mux) {
        pushPending.remove(mux); // before reading the record: a change after this point is pushed again
        ConnectionRecord r = registry.record(mux);
        if (r != null) {
            int n = listener.broadcast(codec.encodeFrame(r), "connection " + mux);
            String suffix = log.isDebugEnabled() ? pushLog.permit() : null;
            if (suffix != null) {
                log.debug("sync: connection {} ({}) pushed to {} peers{}", mux, r.endpointText(), n, suffix);
            }
        }
    }

    /**
     * Tells the peers connected to our sync port of {@code records} (an operator's change: a new key, an added
     * connection or route), off the caller's thread.
     */
    void announce(List<SyncRecord> records) {
        if (listener == null || records.isEmpty()) {
            return;
        }
        try {
            pushes.execute(() -> {
                int n = listener.broadcast(frames(records), records.size() + " records");
                log.info("sync: {} changed records told to {} peers", records.size(), n);
            });
        } catch (RejectedExecutionException closing) {
            // shutting down
        }
    }

    /** The listener's address, if any (tests). */
    InetSocketAddress listenerAddress() {
        return listener == null ? null : listener.localAddress();
    }

    /** Each {@code -M} peer's link: up or down. */
    List<SyncClient.State> peerStates() {
        return connectors.stream().map(SyncClient::state).toList();
    }

    /** Cluster peers connected to our sync port now, or -1 without one. */
    int syncClients() {
        return listener == null ? -1 : listener.clients();
    }

    @Override
    public void close() {
        pushes.shutdownNow();
        connectors.forEach(SyncClient::close);
        if (listener != null) {
            listener.close();
        }
    }
}
