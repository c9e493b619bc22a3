package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

/**
 * janytun-ctl on a cluster of two janytun nodes with protected sync: a connection and its route added on node 1
 * serve a real uanytun client and reach node 2; a new key installed on node 1 reaches node 2, which rotates to it
 * (the previous key still accepted); removing the connection ends the client's tunnel. show names the sync link
 * and its state.
 */
class CtlTableIT {
    private static final String K5 = "5555555555555555aaaaaaaaaaaaaaaa";
    private static final String S5 = "55555555555555555555aaaaaaaa";
    private static final String K6 = "6666666666666666bbbbbbbbbbbbbbbb";
    private static final String S6 = "66666666666666666666bbbbbbbb";
    private static final String NODE_INNER = "10.76.0.1";
    private static final String CLIENT_INNER = "10.76.0.5";
    private static final int NODE_PORT = 4600;
    private static final int CLIENT_PORT = 4601;
    private static final int SYNC_PORT = 2424;
    private static TestNet net;

    @RegisterExtension
    static final SharedTestNet NET = new SharedTestNet(n -> net = n);

    /** A cluster node on {@code ns}, syncing with {@code peer} over the C-B link; its own mux 0 is not used here. */
    private static EndpointSpec node(String dev, String self, String peer, Path secret) {
        return new EndpointSpec().role("left").key(Scenarios.KEY128).salt(Scenarios.SALT).mux(0).devName(dev)
                .ifconfig(NODE_INNER + "/24").localPort(NODE_PORT)
                .extra("-S", Integer.toString(SYNC_PORT), "-I", self, "-M", peer + ":" + SYNC_PORT,
                        "--sync-secret-file", secret.toString());
    }

    private static EndpointSpec client(String key, String salt) {
        return new EndpointSpec().role("right").key(key).salt(salt).mux(5).window(64).devName("tunTc")
                .ifconfig(CLIENT_INNER + "/24").localPort(CLIENT_PORT).remoteHost(net.ab.v4(net.b))
                .remotePort(NODE_PORT);
    }

    private static JsonNode connection(JsonNode device, int mux) {
        for (JsonNode c : device.get("connections")) {
            if (c.get("mux").asInt() == mux) {
                return c;
            }
        }
        return null;
    }

    private static JsonNode awaitConnection(Path socket, int mux, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            JsonNode d = CtlIT.show(socket);
            JsonNode c = connection(d, mux);
            if (c != null && (what == null || c.get("previous-key").asText().equals(what))) {
                return c;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no mux " + mux + (what == null ? "" : " with previous-key=" + what)
                        + " on " + socket + ": " + d);
            }
            Sleep.millis(200);
        }
    }

    @Test
    void addedConnectionsServeAClientAndReachTheOtherNodeAndNewKeysFollow() throws Exception {
        Path logs = ItEnv.logRoot().resolve("CtlTableIT");
        Files.createDirectories(logs);
        Path secret = logs.resolve("cluster.secret");
        byte[] s = new byte[32];
        new SecureRandom().nextBytes(s);
        Files.writeString(secret, Base64.getEncoder().encodeToString(s) + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        String b = net.cb.v4(net.b);
        String c = net.cb.v4(net.c);
        TunnelEnd client = null;
        try (TunnelEnd node1 = TunnelEnd.start("node1", Kind.JANYTUN, net.b, node("tunT1", b, c, secret),
                logs.resolve("node1.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
             TunnelEnd node2 = TunnelEnd.start("node2", Kind.JANYTUN, net.c, node("tunT2", c, b, secret),
                     logs.resolve("node2.log")).awaitReady(TunnelEnd.READY_TIMEOUT)) {
            Path socket1 = node1.controlSocket();
            Path socket2 = node2.controlSocket();
            Exec.Result add = CtlIT.ctl("-s", socket1.toString(), "add", "tunT1", "mux=5", "key=" + K5, "salt=" + S5,
                    "role=left", "window=64", "routes=" + CLIENT_INNER + "/32");
            assertEquals(0, add.exitCode(), add.describe());
            assertTrue(!add.output().contains(K5), "no secret echoed: " + add.output());
            client = TunnelEnd.start("client", Kind.UANYTUN, net.a, client(K5, S5), logs.resolve("client.log"))
                    .awaitReady(TunnelEnd.READY_TIMEOUT);
            Traffic.awaitPing(net.a, NODE_INNER, Traffic.PING_BUDGET, "uanytun client -> node 1, mux 5 added by ctl");

            JsonNode added = connection(CtlIT.show(socket1), 5);
            assertEquals("janytun-ctl", added.get("key-source").asText(), added.toString());
            assertEquals("0", added.get("sender-ids").asText(), "the client's sender id was heard: " + added);
            JsonNode onNode2 = awaitConnection(socket2, 5, null);
            assertEquals("cluster peer", onNode2.get("key-source").asText(), onNode2.toString());
            JsonNode d2 = CtlIT.show(socket2);
            assertTrue(d2.get("routes").toString().contains(CLIENT_INNER + "/32>5"), d2.toString());
            // node 1 started first: its link to node 2 was refused, and comes up at its next retry (10 s)
            long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
            JsonNode d1;
            JsonNode link;
            do {
                Sleep.millis(250);
                d1 = CtlIT.show(socket1);
                link = d1.get("upstreams").get(0);
            } while (!link.get("state").asText().equals("up") && System.nanoTime() < deadline);
            assertEquals("sync-peer", link.get("kind").asText(), d1.toString());
            assertEquals(c + ":" + SYNC_PORT, link.get("target").asText());
            assertEquals("up", link.get("state").asText(), d1.toString());
            assertEquals(1, d1.get("sync-clients").asInt(), "node 2 is connected to node 1's sync port");

            // a new key on node 1 reaches node 2, which rotates to it and still accepts the old one for a while
            Exec.Result setKey = CtlIT.ctl("-s", socket1.toString(), "set-key", "tunT1", "mux=5", "key=" + K6,
                    "salt=" + S6);
            assertEquals(0, setKey.exitCode(), setKey.describe());
            JsonNode rotated = awaitConnection(socket2, 5, "accepted");
            assertEquals("cluster peer", rotated.get("key-source").asText(), rotated.toString());
            client.close();
            client = TunnelEnd.start("client2", Kind.UANYTUN, net.a, client(K6, S6), logs.resolve("client2.log"))
                    .awaitReady(TunnelEnd.READY_TIMEOUT);
            Traffic.awaitPing(net.a, NODE_INNER, Traffic.PING_BUDGET, "the client under the new key");

            Exec.Result remove = CtlIT.ctl("-s", socket1.toString(), "remove", "tunT1", "mux=5");
            assertEquals(0, remove.exitCode(), remove.describe());
            assertEquals(null, connection(CtlIT.show(socket1), 5));
            Traffic.PingResult gone = Traffic.ping(net.a, NODE_INNER, 2);
            assertEquals(0, gone.received(), "removed: the client's tunnel ends: " + gone.output());
            Exec.Result again = CtlIT.ctl("-s", socket1.toString(), "remove", "tunT1", "mux=5");
            assertEquals(1, again.exitCode(), again.describe());
            assertTrue(again.output().contains("no connection with mux 5"), again.describe());
            Exec.Result local = CtlIT.ctl("-s", socket1.toString(), "remove", "tunT1", "mux=0");
            assertTrue(local.exitCode() == 1 && local.output().contains("command line's connection"),
                    local.describe());
            node1.assertAlive();
            node2.assertAlive();
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }
}
