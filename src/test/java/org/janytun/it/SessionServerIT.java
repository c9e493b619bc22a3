package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One janytun server for SATP-session clients and static-key clients at once: three janytun clients with their own
 * keys (one with a pre-shared key) listed in the server's {@code --peers} file, and a real uanytun and a real anytun
 * whose connections come from janytun-controld. Checked: every client reaches the server, session clients and
 * legacy clients reach each other through it, a 10 MiB transfer, {@code janytun-ctl show} names each peer,
 * a peer added live with {@code janytun-ctl add public-key=} gets a tunnel and loses it on {@code remove}, and a
 * reload of the peers file removes a peer and re-routes another without a new handshake.
 */
class SessionServerIT {
    private static final String TUNNET = "192.168.151.";
    private static final int SESSION_CLIENTS = 3;
    private static final int UANYTUN = 4;
    private static final int ANYTUN = 5;
    private static final int LIVE = 6;
    private static final String[] PASS = {"", "", "", "", "uanytun_client_passphrase", "anytun_client_passphrase"};
    private static StarNet net;

    @BeforeAll
    static void network() {
        net = StarNet.create("KS", "KC", LIVE, 60);
    }

    @AfterAll
    static void removeNetwork() {
        if (net != null) {
            net.close();
        }
    }

    private static String peerLine(SessionIT.Identity id, int mux, String routes, Path psk) {
        return "public-key=" + id.publicKey() + " mux=" + mux + " routes=" + routes
                + (psk == null ? "" : " psk-file=" + psk) + "\n";
    }

    @Test
    void threeSessionClientsAndAUanytunAndAnAnytunAtOnce() throws Exception {
        Path logs = ItEnv.logRoot().resolve("SessionServerIT");
        Files.createDirectories(logs);
        int ctlPort = 4491;
        int udp = 4492;
        String dev = "tunks";
        Path socket = TunnelEnd.shortSocketPath("session-server");
        SessionIT.Identity srv = SessionIT.Identity.make(logs, "server");
        Map<Integer, SessionIT.Identity> ids = new HashMap<>();
        for (int i : new int[] {1, 2, 3, LIVE}) {
            ids.put(i, SessionIT.Identity.make(logs, "client" + i));
        }
        Path psk = logs.resolve("client2.psk");
        Files.writeString(psk, Exec.check(Duration.ofSeconds(30), List.of("env", "JANYTUN_JAVA=" + ItEnv.java(),
                ItEnv.home().resolve("bin/janytun-key").toString(), "genpsk")));
        Files.setPosixFilePermissions(psk, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path peers = logs.resolve("peers");
        Files.writeString(peers, "# the SATP-session clients\n"
                + peerLine(ids.get(1), 1, TUNNET + "1/32", null)
                + peerLine(ids.get(2), 2, TUNNET + "2/32", psk)
                + peerLine(ids.get(3), 3, TUNNET + "3/32", null));
        Path table = logs.resolve("table.txt");
        Files.writeString(table, ServerIT.config(ServerIT.Tool.JANYTUN, UANYTUN, PASS[UANYTUN], List.of(TUNNET + "4/32"))
                + ServerIT.config(ServerIT.Tool.JANYTUN, ANYTUN, PASS[ANYTUN], List.of(TUNNET + "5/32")));
        List<AutoCloseable> started = new ArrayList<>();
        try {
            started.add(ServerIT.controld(net.server, ServerIT.Tool.JANYTUN, table, ctlPort, logs.resolve("controld.log")));
            TunnelEnd s = TunnelEnd.start("server", Kind.JANYTUN, net.server, new EndpointSpec().devName(dev)
                    .devType("tun").ifconfig(TUNNET + "254/24").localPort(udp).extra("-X", "127.0.0.1:" + ctlPort,
                            "--private-key", srv.privateKey().toString(), "--peers", peers.toString(),
                            "--control-socket", socket.toString(), "--metrics", "9291"), logs.resolve("server.log"))
                    .awaitReady(TunnelEnd.READY_TIMEOUT);
            started.add(s);
            net.server.ip("route", "add", "10.151.0.0/16", "dev", dev);
            for (int i = 1; i <= ANYTUN; i++) {
                started.add(startClient(i, ids.get(i), srv, i == 2 ? psk : null, udp, logs));
            }
            for (int i = 1; i <= ANYTUN; i++) {
                Traffic.awaitPing(net.clients[i], TUNNET + "254", Traffic.PING_BUDGET, "client " + i + " -> server");
            }
            Traffic.awaitPing(net.clients[1], TUNNET + UANYTUN, Traffic.PING_BUDGET, "session client 1 -> uanytun");
            Traffic.awaitPing(net.clients[ANYTUN], TUNNET + 2, Traffic.PING_BUDGET, "anytun -> session client 2 (PSK)");
            Traffic.awaitPing(net.clients[3], TUNNET + 1, Traffic.PING_BUDGET, "session client 3 -> session client 1");
            Traffic.tcpTransfer(net.clients[3], net.server, TUNNET + "254", 5211, 3, logs);

            JsonNode shown = CtlIT.show(socket);
            Map<Integer, JsonNode> byMux = new HashMap<>();
            shown.get("connections").forEach(c -> byMux.put(c.get("mux").asInt(), c));
            assertEquals(List.of(1, 2, 3, 4, 5), byMux.keySet().stream().sorted().toList(), shown.toString());
            for (int i = 1; i <= SESSION_CLIENTS; i++) {
                JsonNode c = byMux.get(i);
                assertEquals(ids.get(i).publicKey(), c.get("peer-public-key").asText(), c.toString());
                assertEquals("on", c.get("session-pq").asText(), c.toString());
                assertEquals(1, c.get("handshake-completed-as-responder").asLong(), c.toString());
            }
            for (int i : new int[] {UANYTUN, ANYTUN}) {
                assertFalse(byMux.get(i).has("peer-public-key"), byMux.get(i).toString());
                assertEquals("control host", byMux.get(i).get("key-source").asText(), byMux.get(i).toString());
            }
            assertEquals(3, shown.get("handshake-completed-as-responder").asLong(), shown.toString());
            Exec.Result scrape = Exec.run(Duration.ofSeconds(20), net.server.wrap(List.of(
                    ItEnv.requireBinary("curl", "curl"), "-sS", "--max-time", "10", "http://127.0.0.1:9291/metrics")));
            assertEquals(0, scrape.exitCode(), scrape.describe());
            for (int i = 1; i <= SESSION_CLIENTS; i++) {
                assertTrue(scrape.output().contains("janytun_peer_last_handshake_age_seconds{device=\"" + dev
                        + "\",mux=\"" + i + "\"}"), scrape.output());
            }
            assertTrue(scrape.output().contains("janytun_handshakes_total{device=\"" + dev
                    + "\",event=\"completed_as_responder\"} 3.0"), scrape.output());
            assertFalse(scrape.output().contains("janytun_peer_last_handshake_age_seconds{device=\"" + dev
                    + "\",mux=\"" + UANYTUN + "\"}"), "no handshake age for a static-key client");

            // a peer added live gets a tunnel, and loses it when removed
            Exec.Result add = CtlIT.ctl("-s", socket.toString(), "add", dev, "public-key=" + ids.get(LIVE).publicKey(),
                    "mux=" + LIVE, "routes=" + TUNNET + LIVE + "/32");
            assertEquals(0, add.exitCode(), add.describe());
            TunnelEnd live = startClient(LIVE, ids.get(LIVE), srv, null, udp, logs);
            started.add(live);
            Traffic.awaitPing(net.clients[LIVE], TUNNET + "254", Traffic.PING_BUDGET, "the peer added live");
            Exec.Result remove = CtlIT.ctl("-s", socket.toString(), "remove", dev, "mux=" + LIVE);
            assertEquals(0, remove.exitCode(), remove.describe());
            Traffic.PingResult gone = Traffic.ping(net.clients[LIVE], TUNNET + "254", 3);
            assertFalse(gone.anyReply(), "a removed peer has no tunnel:\n" + gone.output());

            // a reload of the peers file: client 3 leaves, client 1 gets a subnet, client 2 keeps its session
            net.clients[1].ip("addr", "add", "10.151.1.1/32", "dev", "tunkc1");
            Files.writeString(peers, peerLine(ids.get(1), 1, TUNNET + "1/32," + "10.151.1.0/24", null)
                    + peerLine(ids.get(2), 2, TUNNET + "2/32", psk));
            Exec.Result reload = CtlIT.ctl("-s", socket.toString(), "reload", dev);
            assertEquals(0, reload.exitCode(), reload.describe());
            assertTrue(reload.output().contains("peers: 0 added, 1 removed, 0 restarted, 1 rerouted"),
                    reload.describe());
            Traffic.awaitPing(net.server, "10.151.1.1", Traffic.PING_BUDGET, "the subnet the reload routed to client 1");
            Traffic.PingResult left = Traffic.ping(net.clients[3], TUNNET + "254", 3);
            assertFalse(left.anyReply(), "the peer the reload removed has no tunnel:\n" + left.output());
            Traffic.awaitPing(net.clients[2], TUNNET + UANYTUN, Traffic.PING_BUDGET, "client 2 after the reload");
            JsonNode after = CtlIT.show(socket);
            List<Integer> muxes = new ArrayList<>();
            after.get("connections").forEach(c -> {
                muxes.add(c.get("mux").asInt());
                if (c.get("mux").asInt() == 2) {
                    assertEquals(1, c.get("handshake-completed-as-responder").asLong(), "client 2 kept its session: "
                            + c);
                }
            });
            assertEquals(List.of(1, 2, 4, 5), muxes.stream().sorted().toList(), after.toString());

            // a peers file that does not parse changes nothing
            Files.writeString(peers, "public-key=nonsense mux=1\n");
            Exec.Result refused = CtlIT.ctl("-s", socket.toString(), "reload", dev);
            assertEquals(1, refused.exitCode(), refused.describe());
            assertTrue(refused.output().contains("--peers") && refused.output().contains("line 1"), refused.describe());
            Traffic.awaitPing(net.clients[1], TUNNET + "254", Traffic.PING_BUDGET, "client 1 after a refused reload");
            s.assertAlive();
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception ignored) {
                    // the rest still gets stopped
                }
            }
        }
    }

    /** Client {@code i}: a janytun with SATP-session keys, or (4, 5) a real uanytun or anytun with a passphrase. */
    private static TunnelEnd startClient(int i, SessionIT.Identity me, SessionIT.Identity srv, Path psk, int udp,
                                         Path logs) {
        EndpointSpec spec = new EndpointSpec().mux(i).devName("tunkc" + i).ifconfig(TUNNET + i + "/24")
                .localPort(udp).remoteHost(net.links[i].v4(net.server)).remotePort(udp);
        Kind kind = i == UANYTUN ? Kind.UANYTUN : i == ANYTUN ? Kind.ANYTUN : Kind.JANYTUN;
        if (kind == Kind.JANYTUN) {
            spec.extra("--private-key", me.privateKey().toString(), "--peer-public-key", srv.publicKey());
            if (psk != null) {
                spec.extra("--psk-file", psk.toString());
            }
        } else {
            spec.role("client").passphrase(PASS[i]);
        }
        return TunnelEnd.start("client" + i, kind, net.clients[i], spec, logs.resolve("client" + i + ".log"))
                .awaitReady(TunnelEnd.READY_TIMEOUT);
    }
}
