package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A multi-client server (anytun's second job): one server, three clients on their own muxes — a real uanytun, a
 * real anytun and janytun — configured through a config tool and a control daemon. Checked: every client reaches
 * the server, clients reach each other through it, IPv4 and IPv6 routes, a /25, a /24 that arrives before a
 * covering /20 of another client (the reference routes that wrongly), a 10 MB TCP transfer, and a control daemon
 * reload while pings flow: what left the table is gone, the rest keeps working.
 *
 * <p>Runs with our tools and with the real ones in the roles the issue names: real anytun-config and
 * anytun-controld feeding janytun; janytun-config and janytun-controld feeding janytun; and janytun-controld
 * feeding the real anytun as the server.
 */
class ServerIT {
    private static final String TUNNET = "192.168.150.";
    private static final String[] PASS = {"", "client_one_passphrase", "client_two_passphrase", "client_three_pass"};
    private static StarNet star;
    private static Netns server;
    private static Netns[] clients;
    private static VethLink[] links;
    private static int round;

    @BeforeAll
    static void network() {
        star = StarNet.create("S", "C", 3, 20);
        server = star.server;
        clients = star.clients;
        links = star.links;
    }

    @AfterAll
    static void removeNetwork() {
        if (star != null) {
            star.close();
        }
    }

    enum Tool { REFERENCE, JANYTUN }

    static Stream<Arguments> setups() {
        return Stream.of(
                Arguments.of("anytun-config + anytun-controld -> janytun server", Tool.REFERENCE, Tool.REFERENCE,
                        Kind.JANYTUN),
                Arguments.of("janytun-config + janytun-controld -> janytun server", Tool.JANYTUN, Tool.JANYTUN,
                        Kind.JANYTUN),
                Arguments.of("janytun-config + janytun-controld -> anytun server", Tool.JANYTUN, Tool.JANYTUN,
                        Kind.ANYTUN));
    }

    /** The table lines of one client: its connection and routes, written by the config tool. */
    static String config(Tool tool, int mux, String passphrase, List<String> routes) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool == Tool.REFERENCE ? ItEnv.requireBinary("anytun-config", "anytun")
                : ItEnv.home().resolve("bin/janytun-config").toString());
        cmd.addAll(List.of("-m", Integer.toString(mux), "-e", "server", "-E", passphrase));
        for (String r : routes) {
            cmd.add("-R");
            cmd.add(r);
        }
        List<String> env = new ArrayList<>(List.of("env", "JANYTUN_JAVA=" + ItEnv.java()));
        env.addAll(cmd);
        return Exec.check(Duration.ofSeconds(30), env);
    }

    private static String table(Tool tool, Kind server, boolean withClientTwoSubnet) {
        List<String> two = new ArrayList<>(List.of(TUNNET + "2/32"));
        if (withClientTwoSubnet) {
            two.add("10.150.1.0/24"); // arrives before client three's covering /20
        }
        return config(tool, 1, PASS[1], List.of(TUNNET + "1/32", "fd00:150::1/128"))
                + config(tool, 2, PASS[2], two)
                + config(tool, 3, PASS[3], List.of(TUNNET + "3/32", "10.150.0.0/20", slash25(tool, server) + "/25"));
    }

    /**
     * anytun-config, and anytun receiving it, hang on a /25 whose last byte reaches 255 (x.y.z.128/25): only an
     * all-janytun setup gets that one.
     */
    private static boolean killerSafe(Tool tool, Kind server) {
        return tool == Tool.JANYTUN && server == Kind.JANYTUN;
    }

    private static String slash25(Tool tool, Kind server) {
        return killerSafe(tool, server) ? "10.150.3.128" : "10.150.3.0";
    }

    private static String inSlash25(Tool tool, Kind server) {
        return killerSafe(tool, server) ? "10.150.3.129" : "10.150.3.1";
    }

    private static ManagedProcess controld(Tool tool, Path table, int port, Path log) {
        return controld(server, tool, table, port, log);
    }

    /** A control daemon in {@code ns} serving {@code table} on 127.0.0.1:{@code port}, once it listens. */
    static ManagedProcess controld(Netns ns, Tool tool, Path table, int port, Path log) {
        List<String> cmd = tool == Tool.REFERENCE
                ? List.of(ItEnv.requireBinary("anytun-controld", "anytun"), "-D", "-f", table.toString(), "-X",
                        "127.0.0.1:" + port)
                : List.of(ItEnv.home().resolve("bin/janytun-controld").toString(), "-D", "-L", "stdout:5", "-f",
                        table.toString(), "-X", "127.0.0.1:" + port);
        ManagedProcess p = ManagedProcess.start("controld", ns.wrap(cmd), log,
                Map.of("JANYTUN_JAVA", ItEnv.java()));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!ns.run(Duration.ofSeconds(5), "ss", "-Htln", "sport = :" + port).output().contains(":" + port)) {
            assertTrue(p.isAlive(), "controld exited\n" + p.tail(20));
            assertTrue(System.nanoTime() < deadline, "controld does not listen on " + port + "\n" + p.tail(20));
            Sleep.millis(100);
        }
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void serverWithThreeClients(String title, Tool configTool, Tool controldTool, Kind serverKind) throws Exception {
        int n = ++round;
        Path logs = ItEnv.logRoot().resolve("ServerIT").resolve(n + "-" + serverKind.label());
        Files.createDirectories(logs);
        int ctlPort = 4460 + n;
        int udp = 4470 + n;
        Path table = logs.resolve("table.txt");
        Files.writeString(table, table(configTool, serverKind, true));
        String dev = "tunsrv" + n;
        List<AutoCloseable> started = new ArrayList<>();
        try {
            ManagedProcess ctl = controld(controldTool, table, ctlPort, logs.resolve("controld.log"));
            started.add(ctl);
            List<String> srv = new ArrayList<>(serverKind.launcher());
            // -t tun: anytun routes only when the type is given as exactly "tun" (SYNC.md §4.1)
            srv.addAll(List.of("-X", "127.0.0.1:" + ctlPort, "-p", Integer.toString(udp), "-d", dev, "-t", "tun", "-n",
                    TUNNET + "254/24"));
            ManagedProcess s = ManagedProcess.start("server " + serverKind.label(), server.wrap(srv),
                    logs.resolve("server.log"), serverKind.environment());
            started.add(s);
            awaitAddress(server, dev, TUNNET + "254", s);
            server.ip("-6", "addr", "add", "fd00:150::fe/64", "dev", dev, "nodad");
            server.ip("route", "add", "10.150.0.0/16", "dev", dev);

            Kind[] kinds = {null, Kind.UANYTUN, Kind.ANYTUN, Kind.JANYTUN};
            for (int i = 1; i <= 3; i++) {
                EndpointSpec spec = new EndpointSpec().role("client").mux(i).passphrase(PASS[i])
                        .devName("tunc" + n + i).ifconfig(TUNNET + i + "/24").localPort(udp)
                        .remoteHost(links[i].v4(server)).remotePort(udp);
                TunnelEnd c = TunnelEnd.start("client" + i, kinds[i], clients[i], spec,
                        logs.resolve("client" + i + ".log")).awaitReady(TunnelEnd.READY_TIMEOUT);
                started.add(c);
            }
            clients[1].ip("-6", "addr", "add", "fd00:150::1/64", "dev", "tunc" + n + "1", "nodad");
            clients[2].ip("addr", "add", "10.150.1.5/32", "dev", "tunc" + n + "2");
            clients[3].ip("addr", "add", "10.150.2.7/32", "dev", "tunc" + n + "3");
            clients[3].ip("addr", "add", inSlash25(configTool, serverKind) + "/32", "dev", "tunc" + n + "3");

            for (int i = 1; i <= 3; i++) {
                Traffic.awaitPing(clients[i], TUNNET + "254", Traffic.PING_BUDGET, "client " + i + " -> server");
            }
            Traffic.awaitPing(clients[1], TUNNET + "2", Traffic.PING_BUDGET, "client 1 -> client 2 via the server");
            Traffic.awaitPing(clients[3], TUNNET + "1", Traffic.PING_BUDGET, "client 3 -> client 1 via the server");
            Traffic.awaitPing(server, "fd00:150::1", Traffic.PING_BUDGET, "IPv6 route to client 1");
            Traffic.awaitPing(server, inSlash25(configTool, serverKind), Traffic.PING_BUDGET, "/25 route to client 3");
            Traffic.awaitPing(server, "10.150.2.7", Traffic.PING_BUDGET, "/20 route to client 3");
            if (serverKind == Kind.JANYTUN) {
                // the /24 of client 2 came before client 3's /20: longest prefix still wins
                Traffic.awaitPing(server, "10.150.1.5", Traffic.PING_BUDGET, "/24 route to client 2");
            }
            Traffic.tcpTransfer(clients[3], server, TUNNET + "254", 5201, n, logs);
            Traffic.tcpTransfer(clients[1], server, TUNNET + "254", 5202, n, logs);

            // reload while client 1 pings: client 2's subnet leaves the table
            try (ManagedProcess pings = ManagedProcess.start("ping stream", clients[1].wrap(List.of("ping", "-i",
                    "0.05", "-c", "200", "-W", "1", TUNNET + "254")), logs.resolve("ping-stream.log"), Map.of())) {
                Sleep.millis(1000);
                Files.writeString(table, table(configTool, serverKind, false));
                if (controldTool == Tool.JANYTUN) {
                    Exec.check("kill", "-HUP", Long.toString(ctl.pid()));
                } else {
                    ctl.stop(Duration.ofSeconds(5)); // the reference reloads only by restarting
                    started.add(controld(controldTool, table, ctlPort, logs.resolve("controld2.log")));
                }
                int status = pings.awaitExit(Duration.ofSeconds(40));
                String out = pings.output();
                Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
                assertTrue(m.find(), out);
                int lost = Integer.parseInt(m.group(1)) - Integer.parseInt(m.group(2));
                assertTrue(lost <= 5, "the reload cost " + lost + " of 200 pings (status " + status + ")\n" + out);
            }
            if (serverKind == Kind.JANYTUN) {
                // janytun-controld pushes what changed (client 2's /24 dropped), anytun-controld's restart the table
                s.awaitOutput(Pattern.compile(controldTool == Tool.JANYTUN
                        ? "control: table change from .*, [1-9][0-9]* dropped"
                        : "control: table from .*3 connections, 6 routes"), Duration.ofSeconds(30));
                Traffic.PingResult gone = Traffic.ping(server, "10.150.1.5", 3);
                assertFalse(gone.anyReply(), "the removed /24 no longer reaches client 2:\n" + gone.output());
            }
            for (int i = 1; i <= 3; i++) {
                Traffic.awaitPing(clients[i], TUNNET + "254", Traffic.PING_BUDGET, "after the reload, client " + i);
            }
            assertEquals(true, s.isAlive(), "server alive");
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception ignored) {
                    // the rest still gets stopped
                }
            }
            try {
                server.tryIp("link", "del", dev);
            } catch (RuntimeException | AssertionError ignored) {
                // gone with its daemon
            }
        }
    }

    /** Waits until {@code -n} is applied: the address set and the link up (a route via a down link is refused). */
    static void awaitAddress(Netns ns, String dev, String addr, ManagedProcess p) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(ns.linkUp(dev) && ns.addresses(dev).contains("inet " + addr + "/"))) {
            assertTrue(p.isAlive(), p.name() + " exited\n" + p.tail(30));
            assertTrue(System.nanoTime() < deadline, dev + " never got " + addr + " and UP\n" + p.tail(30));
            Sleep.millis(100);
        }
    }
}
