package org.janytun.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToLongFunction;
import org.janytun.connection.Connection;
import org.janytun.connection.TrafficCounters;
import org.janytun.handshake.HandshakeStats;
import org.janytun.session.DropReason;
import org.janytun.session.SendLease;
import org.janytun.syncio.SyncClient;

/**
 * Serves the daemon's counters as Prometheus metrics: the same figures as {@code janytun-ctl show}, per mux and
 * per drop reason, the device's totals, the cluster listener's peers and the process's CPU, memory and file
 * descriptors. Every value is read from the live counters when scraped.
 *
 * <p>The HTTP server is the client library's own; it runs on one thread of its own, and the JDK server's request
 * and response deadlines are set (a client that sends nothing is dropped after 5 s).
 */
public final class MetricsEndpoint implements Closeable {
    /** What is measured: the daemon's live state. */
    public interface Source {
        String device();

        TrafficCounters total();

        List<Connection> connections();

        long deviceReadDrops();

        /** Cluster peers connected to our sync port, or -1 without one. */
        int syncClients();

        /** The control host ({@code -X}) and cluster peers ({@code -M}) this node connects to: up or down. */
        default List<SyncClient.State> upstreams() {
            return List.of();
        }

        /** The SATP session's handshake counters; null for static keys (then no handshake metrics). */
        default HandshakeStats handshake() {
            return null;
        }

        /** The handshakes of the SATP-session peer on {@code mux}, or null (a static-key connection). */
        default HandshakeStats handshake(int mux) {
            return null;
        }
    }

    private static final DropReason[] REASONS = DropReason.values();

    private final HTTPServer server;
    private final ExecutorService executor;
    private final PrometheusRegistry registry;

    private MetricsEndpoint(HTTPServer server, ExecutorService executor, PrometheusRegistry registry) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
    }

    /** Registers the metrics and starts serving {@code /metrics} on {@code bind}. */
    public static MetricsEndpoint start(InetSocketAddress bind, Source source) throws IOException {
        // the JDK HTTP server reads its deadlines once, when first used
        System.setProperty("sun.net.httpserver.maxReqTime", "5");
        System.setProperty("sun.net.httpserver.maxRspTime", "10");
        System.setProperty("sun.net.httpserver.maxReqHeaders", "64");
        PrometheusRegistry registry = new PrometheusRegistry();
        register(registry, source);
        ProcessMetrics.builder().register(registry);
        ExecutorService executor = Executors.newSingleThreadExecutor(
                r -> Thread.ofPlatform().name("janytun-metrics").daemon().unstarted(r));
        try {
            HTTPServer s = HTTPServer.builder().inetAddress(bind.getAddress()).port(bind.getPort())
                    .registry(registry).executorService(executor).buildAndStart();
            return new MetricsEndpoint(s, executor, registry);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /** SATP sessions: handshakes by event (re-keys among them), failures by reason, the latest one's age. */
    private static void handshakes(PrometheusRegistry registry, Source s, HandshakeStats h) {
        CounterWithCallback.builder().name("janytun_handshakes").help("SATP-session handshake events")
                .labelNames("device", "event").callback(cb -> {
                    for (HandshakeStats.Event e : HandshakeStats.Event.values()) {
                        cb.call(h.events(e), s.device(), e.name().toLowerCase(Locale.ROOT));
                    }
                }).register(registry);
        CounterWithCallback.builder().name("janytun_handshake_failures")
                .help("SATP-session handshake datagrams dropped, by reason").labelNames("device", "reason")
                .callback(cb -> {
                    for (HandshakeStats.Failure f : HandshakeStats.Failure.values()) {
                        cb.call(h.failures(f), s.device(), f.name().toLowerCase(Locale.ROOT));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("janytun_peer_last_handshake_age_seconds")
                .help("seconds since each SATP-session peer's latest completed handshake (absent before its first)")
                .labelNames("device", "mux").callback(cb -> {
                    long now = System.currentTimeMillis();
                    for (Connection c : s.connections()) {
                        HandshakeStats p = s.handshake(c.mux());
                        if (p != null && p.lastHandshakeMillis() != 0) {
                            cb.call((now - p.lastHandshakeMillis()) / 1e3, s.device(), Integer.toString(c.mux()));
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("janytun_session_last_handshake_age_seconds")
                .help("seconds since the latest completed SATP-session handshake (absent before the first)")
                .labelNames("device").callback(cb -> {
                    long last = h.lastHandshakeMillis();
                    if (last != 0) {
                        cb.call((System.currentTimeMillis() - last) / 1e3, s.device());
                    }
                }).register(registry);
    }

    /** The port it listens on (the one asked for, or the kernel's choice for 0). */
    public int port() {
        return server.getPort();
    }

    PrometheusRegistry registry() {
        return registry;
    }

    static void register(PrometheusRegistry registry, Source s) {
        if (s.handshake() != null) {
            handshakes(registry, s, s.handshake());
        }
        perMux(registry, s, "janytun_connection_received_packets", "packets received and delivered",
                TrafficCounters::packetsIn);
        perMux(registry, s, "janytun_connection_received_bytes", "bytes of inner packets received and delivered",
                TrafficCounters::bytesIn);
        perMux(registry, s, "janytun_connection_sent_packets", "datagrams sent", TrafficCounters::packetsOut);
        perMux(registry, s, "janytun_connection_sent_bytes", "bytes of datagrams sent", TrafficCounters::bytesOut);
        perMux(registry, s, "janytun_connection_keepalives_received", "authentic empty packets (keepalives) received",
                TrafficCounters::keepalivesIn);
        perMux(registry, s, "janytun_connection_keepalives_sent", "keepalives sent (--keepalive)",
                TrafficCounters::keepalivesOut);
        CounterWithCallback.builder().name("janytun_connection_dropped_packets")
                .help("packets dropped, by reason").labelNames("device", "mux", "reason")
                .callback(cb -> {
                    for (Connection c : s.connections()) {
                        for (DropReason r : REASONS) {
                            cb.call(c.counters().drops(r), s.device(), Integer.toString(c.mux()), name(r));
                        }
                    }
                }).register(registry);
        perLink(registry, s, "janytun_link_received_packets", "RAIL: packets this link delivered first",
                p -> p.counters().packetsIn());
        perLink(registry, s, "janytun_link_sent_packets", "RAIL: datagrams sent on this link",
                p -> p.counters().packetsOut());
        perLink(registry, s, "janytun_link_rail_copies", "RAIL: copies this link brought after another link",
                p -> p.counters().drops(DropReason.RAIL_DUPLICATE));
        perLink(registry, s, "janytun_link_skipped", "RAIL: sequence numbers this link never brought (its loss)",
                org.janytun.connection.Path::skipped);
        CounterWithCallback.builder().name("janytun_connection_previous_key_packets")
                .help("packets opened under the previous key during a key rotation's grace period")
                .labelNames("device", "mux")
                .callback(cb -> s.connections().forEach(c -> cb.call(c.previousKeyPackets(), s.device(),
                        Integer.toString(c.mux())))).register(registry);
        GaugeWithCallback.builder().name("janytun_connection_last_receive_age_seconds")
                .help("seconds since the last packet was received (absent before the first)")
                .labelNames("device", "mux")
                .callback(cb -> {
                    long now = System.nanoTime();
                    for (Connection c : s.connections()) {
                        long last = c.counters().lastReceiveNanos();
                        if (last != 0) {
                            cb.call((now - last) / 1e9, s.device(), Integer.toString(c.mux()));
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("janytun_connection_key_age_seconds")
                .help("seconds since the connection's key was installed").labelNames("device", "mux")
                .callback(cb -> {
                    long now = System.nanoTime();
                    s.connections().forEach(c -> cb.call((now - c.keyInstalledNanos()) / 1e9, s.device(),
                            Integer.toString(c.mux())));
                }).register(registry);
        GaugeWithCallback.builder().name("janytun_connection_sequence_next")
                .help("the sequence number the next packet gets").labelNames("device", "mux")
                .callback(cb -> s.connections().forEach(c -> cb.call(
                        Integer.toUnsignedLong(c.session().nextSeq()), s.device(), Integer.toString(c.mux()))))
                .register(registry);
        GaugeWithCallback.builder().name("janytun_connection_sequence_reserved")
                .help("the sequence lease: numbers below this are reserved on disk").labelNames("device", "mux")
                .callback(cb -> {
                    for (Connection c : s.connections()) {
                        SendLease l = c.session().lease();
                        if (l != null) {
                            cb.call(l.limit(), s.device(), Integer.toString(c.mux()));
                        }
                    }
                }).register(registry);
        total(registry, s, "janytun_received_packets", "packets received and delivered, all connections",
                TrafficCounters::packetsIn);
        total(registry, s, "janytun_received_bytes", "bytes received and delivered, all connections",
                TrafficCounters::bytesIn);
        total(registry, s, "janytun_sent_packets", "datagrams sent, all connections", TrafficCounters::packetsOut);
        total(registry, s, "janytun_sent_bytes", "bytes sent, all connections", TrafficCounters::bytesOut);
        CounterWithCallback.builder().name("janytun_dropped_packets")
                .help("packets dropped by the data path, by reason (also those of no connection)")
                .labelNames("device", "reason")
                .callback(cb -> {
                    TrafficCounters t = s.total();
                    for (DropReason r : REASONS) {
                        cb.call(t.drops(r), s.device(), name(r));
                    }
                }).register(registry);
        CounterWithCallback.builder().name("janytun_device_read_dropped_packets")
                .help("packets the device handed over that could not be read whole").labelNames("device")
                .callback(cb -> cb.call(s.deviceReadDrops(), s.device())).register(registry);
        GaugeWithCallback.builder().name("janytun_connections").help("connections (muxes) known")
                .labelNames("device").callback(cb -> cb.call(s.connections().size(), s.device())).register(registry);
        GaugeWithCallback.builder().name("janytun_sync_clients")
                .help("cluster peers connected to this node's sync port (absent without -S)").labelNames("device")
                .callback(cb -> {
                    int n = s.syncClients();
                    if (n >= 0) {
                        cb.call(n, s.device());
                    }
                }).register(registry);
        upstreams(registry, s);
    }

    /** Whether each control host and cluster peer we connect to is up: 1 or 0 by target. */
    private static void upstreams(PrometheusRegistry registry, Source s) {
        GaugeWithCallback.builder().name("janytun_upstream_up")
                .help("1 while the link to a control host (-X) or cluster peer (-M) is up, 0 while it is down")
                .labelNames("device", "peer")
                .callback(cb -> s.upstreams().forEach(st -> cb.call(st.up() ? 1 : 0, s.device(),
                        st.target().toString()))).register(registry);
    }

    /** RAIL: a series per link of every connection with several. */
    private static void perLink(PrometheusRegistry registry, Source s, String name, String help,
                                ToLongFunction<org.janytun.connection.Path> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("device", "mux", "link")
                .callback(cb -> {
                    for (Connection c : s.connections()) {
                        if (c.paths().length > 1) {
                            for (var p : c.paths()) {
                                cb.call(value.applyAsLong(p), s.device(), Integer.toString(c.mux()),
                                        Integer.toString(p.link()));
                            }
                        }
                    }
                }).register(registry);
    }

    private static void perMux(PrometheusRegistry registry, Source s, String name, String help,
                               ToLongFunction<TrafficCounters> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("device", "mux")
                .callback(cb -> s.connections().forEach(c -> cb.call(value.applyAsLong(c.counters()), s.device(),
                        Integer.toString(c.mux())))).register(registry);
    }

    private static void total(PrometheusRegistry registry, Source s, String name, String help,
                              ToLongFunction<TrafficCounters> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("device")
                .callback(cb -> cb.call(value.applyAsLong(s.total()), s.device())).register(registry);
    }

    /** A drop reason as a label value: {@code bad_tag}. */
    static String name(DropReason r) {
        return r.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        server.close();
        executor.shutdownNow();
    }
}
