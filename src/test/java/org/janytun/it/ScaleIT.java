package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Role;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncCodec;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 at scale, with the launcher's default settings: a table of 20,000 connections (mux i, its own
 * passphrase, a /32 route each) served by janytun-controld to a janytun server, and a second janytun node that
 * joins with -M and takes the whole table from the server's sync port. A real uanytun client whose mux is in the
 * middle of the table pings through the server, and another through node 2 with the keys node 2 only knows from
 * the dump (both nodes have the same tunnel address, as anycast nodes do).
 *
 * <pre>
 *   client 1 (uanytun, mux 10000) ── server (janytun -X, -S) ── node 2 (janytun -M) ── client 2 (uanytun, 15000)
 *                                       └ janytun-controld
 * </pre>
 */
class ScaleIT {
    private static final int N = 20_000;
    private static final int PORT = 4444;
    private static final String SERVER_TUN = "10.131.255.254";
    /** Loading, dumping and the pings: well inside the 2 minutes the test may take. */
    private static final Duration BUDGET = Duration.ofSeconds(45);

    /** The tunnel address and route of mux i: 10.128.0.0/14 has room for every mux. */
    private static String addr(int mux) {
        return "10." + (128 + (mux >> 16)) + "." + ((mux >> 8) & 255) + "." + (mux & 255);
    }

    private static String pass(int mux) {
        return "scale-client-" + mux;
    }

    /** The table as janytun-config writes it: one connection record per mux (role server) and its /32 route. */
    private static String table() {
        SyncCodec codec = new SyncCodec();
        StringBuilder sb = new StringBuilder();
        for (int mux = 1; mux <= N; mux++) {
            CryptoSuite s = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10,
                    null, null, pass(mux).getBytes(StandardCharsets.UTF_8));
            sb.append(codec.encodeFrameText(new ConnectionRecord(mux, Role.LEFT, 128, s.masterSalt(), s.masterKey(),
                    0, 0, ConnectionRecord.UNSET_HOST, 0))).append('\n');
            sb.append(codec.encodeFrameText(RouteRecord.parse(addr(mux) + "/32", mux))).append('\n');
        }
        return sb.toString();
    }

    @Test
    void twentyThousandConnectionsOnAServerAndASyncNode() throws Exception {
        Preflight.require();
        Path logs = ItEnv.logRoot().resolve("ScaleIT");
        Files.createDirectories(logs);
        Path table = logs.resolve("table.txt");
        Files.writeString(table, table(), StandardCharsets.ISO_8859_1);
        List<AutoCloseable> started = new ArrayList<>();
        try (Netns server = Netns.create("S"); Netns node2 = Netns.create("N"); Netns client1 = Netns.create("C");
             Netns client2 = Netns.create("D")) {
            try {
                for (Netns ns : List.of(server, node2, client1, client2)) {
                    ns.ip("link", "set", "lo", "up");
                }
                VethLink toClient1 = VethLink.connect(server, client1, 171);
                VethLink toNode2 = VethLink.connect(server, node2, 172);
                VethLink toClient2 = VethLink.connect(node2, client2, 173);

                ManagedProcess ctl = ManagedProcess.start("controld", server.wrap(List.of(
                        ItEnv.home().resolve("bin/janytun-controld").toString(), "-D", "-L", "stdout:4", "-f",
                        table.toString(), "-X", "127.0.0.1:4590")), logs.resolve("controld.log"),
                        Map.of("JANYTUN_JAVA", ItEnv.java()));
                started.add(ctl);
                ctl.awaitOutput(Pattern.compile("janytun-controld started"), Duration.ofSeconds(60));

                long t0 = System.nanoTime();
                List<String> srv = new ArrayList<>(Kind.JANYTUN.launcher());
                srv.addAll(List.of("-X", "127.0.0.1:4590", "-p", Integer.toString(PORT), "-d", "tunscale", "-t", "tun",
                        "-n", SERVER_TUN + "/14", "-s", "1", "-S", "4591", "-I", toNode2.v4(server),
                        "--state-dir", logs.resolve("state-server").toString(),
                        "--control-socket", TunnelEnd.shortSocketPath("scale-server").toString()));
                ManagedProcess s = ManagedProcess.start("server", server.wrap(srv), logs.resolve("server.log"),
                        Kind.JANYTUN.environment());
                started.add(s);
                s.awaitOutput(Pattern.compile("control: " + N + " connections in use"), BUDGET);
                long loaded = System.nanoTime();

                TunnelEnd c1 = TunnelEnd.start("client1", Kind.UANYTUN, client1, client(N / 2, toClient1.v4(server)),
                        logs.resolve("client1.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
                started.add(c1);
                Traffic.awaitPing(client1, SERVER_TUN, Traffic.PING_BUDGET, "client mux " + N / 2 + " -> server");

                List<String> n2 = new ArrayList<>(Kind.JANYTUN.launcher());
                n2.addAll(List.of("-M", toNode2.v4(server) + ":4591", "-p", Integer.toString(PORT), "-d", "tunscale",
                        "-t", "tun", "-n", SERVER_TUN + "/14", "-s", "2", "-m", "0", "-E", "node-2-own-mux-0",
                        "--state-dir", logs.resolve("state-node2").toString(),
                        "--control-socket", TunnelEnd.shortSocketPath("scale-node2").toString()));
                long t1 = System.nanoTime();
                ManagedProcess node = ManagedProcess.start("node 2", node2.wrap(n2), logs.resolve("node2.log"),
                        Kind.JANYTUN.environment());
                started.add(node);
                node.awaitOutput(Pattern.compile(" " + (N + 1) + " connections in use"), BUDGET); // and its own
                long synced = System.nanoTime();

                TunnelEnd c2 = TunnelEnd.start("client2", Kind.UANYTUN, client2, client(15_000, toClient2.v4(node2)),
                        logs.resolve("client2.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
                started.add(c2);
                Traffic.awaitPing(client2, SERVER_TUN, Traffic.PING_BUDGET,
                        "client mux 15000 -> node 2 (keys from the dump)");
                // the server still serves the first client
                assertTrue(Traffic.ping(client1, SERVER_TUN, 3).anyReply(), "client 1 after node 2 joined");
                System.out.printf("ScaleIT: %d connections in use at the server %.1f s after its start, at node 2"
                        + " %.1f s after its start%n", N, (loaded - t0) / 1e9, (synced - t1) / 1e9);
                assertTrue(s.isAlive() && node.isAlive(), s.tail(20) + node.tail(20));
            } finally {
                for (AutoCloseable c : started.reversed()) { // before the namespaces go
                    c.close();
                }
            }
        }
    }

    private static EndpointSpec client(int mux, String server) {
        return new EndpointSpec().role("client").mux(mux).passphrase(pass(mux)).devName("tunc" + mux)
                .ifconfig(addr(mux) + "/14").localPort(PORT).remoteHost(server).remotePort(PORT);
    }
}
