package org.janytun.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.janytun.connection.Connection;
import org.janytun.connection.TrafficCounters;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Hex;
import org.janytun.crypto.Role;
import org.janytun.session.DropReason;
import org.janytun.session.SatpSession;
import org.janytun.wire.DeviceType;
import org.junit.jupiter.api.Test;

/**
 * The metrics endpoint over HTTP: the protobuf exposition parsed by the client library's own (generated) parser,
 * the text exposition parsed line by line against the format's grammar, and both carry the live counters.
 */
class MetricsEndpointTest {
    /** A sample line of the text format: name, optional labels, a value (no timestamps are written). */
    private static final Pattern SAMPLE = Pattern.compile(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)})?"
                    + " (-?[0-9.eE+-]+|NaN|[+-]Inf)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private static Connection connection(int mux) {
        SatpSession s = new SatpSession(CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128,
                AuthAlgorithm.SHA1, 10, Hex.parse("00112233445566778899aabbccddeeff"),
                Hex.parse("0102030405060708090a0b0c0d0e"), null), Role.LEFT, 0, mux, DeviceType.TUN, 64);
        return new Connection(s, null);
    }

    @Test
    void theScrapeCarriesTheLiveCountersInTextAndProtobuf() throws Exception {
        Connection c0 = connection(0);
        Connection c7 = connection(7);
        TrafficCounters total = new TrafficCounters();
        c0.counters().received(20, 1680, System.nanoTime());
        c0.counters().sent(21, 2184);
        c7.counters().dropped(DropReason.BAD_TAG, 3);
        total.received(20, 1680, System.nanoTime());
        total.dropped(DropReason.REPLAYED, 5);
        MetricsEndpoint.Source source = new MetricsEndpoint.Source() {
            public String device() { return "tun9"; }
            public TrafficCounters total() { return total; }
            public List<Connection> connections() { return List.of(c0, c7); }
            public long deviceReadDrops() { return 2; }
            public int syncClients() { return -1; }
            public List<org.janytun.syncio.SyncClient.State> upstreams() {
                return List.of(new org.janytun.syncio.SyncClient.State(new org.janytun.address.HostPort("10.0.0.2",
                        2424), true, 0, null), new org.janytun.syncio.SyncClient.State(
                        new org.janytun.address.HostPort("10.0.0.3", 2424), false, 0, "Connection refused"));
            }
        };
        try (MetricsEndpoint m = MetricsEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                source)) {
            URI uri = URI.create("http://127.0.0.1:" + m.port() + "/metrics");
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> text = http.send(HttpRequest.newBuilder(uri).header("Accept", "text/plain").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, text.statusCode());
            Map<String, Double> samples = parseText(text.body());
            assertEquals(20.0, samples.get("janytun_connection_received_packets_total{device=tun9,mux=0}"));
            assertEquals(1680.0, samples.get("janytun_connection_received_bytes_total{device=tun9,mux=0}"));
            assertEquals(21.0, samples.get("janytun_connection_sent_packets_total{device=tun9,mux=0}"));
            assertEquals(3.0, samples.get("janytun_connection_dropped_packets_total{device=tun9,mux=7,reason=bad_tag}"));
            assertEquals(0.0, samples.get("janytun_connection_dropped_packets_total{device=tun9,mux=0,reason=bad_tag}"));
            assertEquals(5.0, samples.get("janytun_dropped_packets_total{device=tun9,reason=replayed}"));
            assertEquals(2.0, samples.get("janytun_device_read_dropped_packets_total{device=tun9}"));
            assertEquals(2.0, samples.get("janytun_connections{device=tun9}"));
            assertTrue(samples.get("janytun_connection_last_receive_age_seconds{device=tun9,mux=0}") < 60);
            assertTrue(!samples.containsKey("janytun_connection_last_receive_age_seconds{device=tun9,mux=7}"),
                    "no last-receive age before the first packet");
            assertTrue(!samples.keySet().stream().anyMatch(k -> k.startsWith("janytun_sync_clients")));
            assertEquals(1.0, samples.get("janytun_upstream_up{device=tun9,peer=10.0.0.2:2424}"));
            assertEquals(0.0, samples.get("janytun_upstream_up{device=tun9,peer=10.0.0.3:2424}"));
            assertTrue(samples.get("process_cpu_seconds_total") > 0, "process figures: " + samples.keySet());
            assertTrue(samples.get("process_resident_memory_bytes") > 0);

            c0.counters().received(1, 84, System.nanoTime()); // read at scrape time
            HttpResponse<InputStream> proto = http.send(HttpRequest.newBuilder(uri).header("Accept",
                    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, proto.statusCode());
            Map<String, Metrics.MetricFamily> families = new HashMap<>();
            try (InputStream in = proto.body()) {
                Metrics.MetricFamily f;
                while ((f = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
                    families.put(f.getName(), f);
                }
            }
            Metrics.MetricFamily received = families.get("janytun_connection_received_packets_total");
            assertEquals(Metrics.MetricType.COUNTER, received.getType());
            Map<String, Double> byMux = new TreeMap<>();
            for (Metrics.Metric metric : received.getMetricList()) {
                String mux = metric.getLabelList().stream().filter(l -> l.getName().equals("mux")).findFirst()
                        .orElseThrow().getValue();
                byMux.put(mux, metric.getCounter().getValue());
            }
            assertEquals(Map.of("0", 21.0, "7", 0.0), byMux);
            assertEquals(Metrics.MetricType.GAUGE, families.get("janytun_connection_key_age_seconds").getType());
        }
    }

    /** The text exposition as {@code name{label=value,...}} (labels sorted) to value; fails on any other line. */
    static Map<String, Double> parseText(String body) {
        Map<String, Double> out = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                assertEquals(4, p.length, line);
                assertTrue(List.of("counter", "gauge", "untyped", "summary", "histogram").contains(p[3]), line);
                assertTrue(types.put(p[2], p[3]) == null, "one TYPE line per family: " + line);
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line of the text format: " + line);
            String name = m.group(1);
            assertTrue(types.containsKey(name) || types.containsKey(name.replaceFirst("_total$", "")),
                    "a sample of a family with a TYPE line: " + line);
            TreeMap<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            StringBuilder key = new StringBuilder(name);
            if (!labels.isEmpty()) {
                key.append('{');
                labels.forEach((k, v) -> key.append(key.charAt(key.length() - 1) == '{' ? "" : ",").append(k)
                        .append('=').append(v));
                key.append('}');
            }
            assertTrue(out.put(key.toString(), Double.parseDouble(m.group(4).replace("+Inf", "Infinity")
                    .replace("-Inf", "-Infinity"))) == null, "a sample twice: " + line);
        }
        return out;
    }
}
