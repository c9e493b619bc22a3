package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.janytun.it.tools.UnixConnect;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * janytun-ctl against running tunnels: {@code show --json} counts what ping sent, {@code set-key} rotates the key
 * while a real uanytun is restarted with the new one (the lost pings are reported), two janytun ends rotate under a
 * ping every 10 ms without losing one, and only root reaches the socket.
 */
class CtlIT {
    private static final String KEY2 = "ffeeddccbbaa99887766554433221100";
    private static final String SALT2 = "0e0d0c0b0a090807060504030201";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestNet net;
    private static int caseNo;

    @RegisterExtension
    static final SharedTestNet NET = new SharedTestNet(n -> net = n);

    private record Case(Path dir, String devA, String devB, String innerA, String innerB, int portA, int portB,
                        Path socketA, Path socketB) {}

    private static Case newCase(TestInfo info) throws Exception {
        int n = ++caseNo;
        Path dir = ItEnv.logRoot().resolve("CtlIT").resolve(n + "-" + info.getTestMethod().orElseThrow().getName());
        Files.createDirectories(dir);
        return new Case(dir, "tunkA" + n, "tunkB" + n, "10.79." + n + ".1", "10.79." + n + ".2", 5720 + n,
                5730 + n, TunnelEnd.shortSocketPath("a" + n), TunnelEnd.shortSocketPath("b" + n));
    }

    private static EndpointSpec end(Case c, boolean left, String key, String salt) {
        return new EndpointSpec().role(left ? "left" : "right").key(key).salt(salt).window(64)
                .devName(left ? c.devA() : c.devB()).ifconfig((left ? c.innerA() : c.innerB()) + "/24")
                .localPort(left ? c.portA() : c.portB()).remoteHost(net.ab.v4(left ? net.b : net.a))
                .remotePort(left ? c.portB() : c.portA());
    }

    private static EndpointSpec janytun(Case c, boolean left, String key, String salt) {
        return end(c, left, key, salt).extra("--control-socket", (left ? c.socketA() : c.socketB()).toString(),
                "--state-dir", c.dir().resolve(left ? "state-a" : "state-b").toString());
    }

    /** bin/janytun-ctl as root, outside the namespaces (the socket is a file). */
    static Exec.Result ctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "JANYTUN_JAVA=" + ItEnv.java(),
                ItEnv.home().resolve("bin/janytun-ctl").toString()));
        cmd.addAll(List.of(args));
        return Exec.run(Duration.ofSeconds(30), cmd);
    }

    static JsonNode show(Path socket) throws Exception {
        Exec.Result r = ctl("-s", socket.toString(), "show", "--json");
        assertEquals(0, r.exitCode(), r.describe());
        String out = r.output();
        JsonNode all = JSON.readTree(out.substring(out.indexOf('[')));
        assertEquals(1, all.size(), out);
        return all.get(0);
    }

    /** Requests lost, leaving out those still in flight when the stream was stopped. */
    private static List<PingStream.Loss> lost(PingStream p) {
        int lastAnswered = p.replies().stream().mapToInt(PingStream.Reply::seq).max().orElse(0);
        return p.losses().stream().filter(l -> l.seq() < lastAnswered).toList();
    }

    @Test
    void showCountsThePingsAndSetKeyFollowsAUanytunRestartedWithTheNewKey(TestInfo info) throws Exception {
        Case c = newCase(info);
        TunnelEnd peer = TunnelEnd.start("right", Kind.UANYTUN, net.b, end(c, false, Scenarios.KEY128, Scenarios.SALT),
                c.dir().resolve("uanytun.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
        int metricsPort = 9180 + caseNo;
        try (TunnelEnd j = TunnelEnd.start("left", Kind.JANYTUN, net.a, janytun(c, true, Scenarios.KEY128,
                Scenarios.SALT).extra("--metrics", Integer.toString(metricsPort)), c.dir().resolve("janytun.log"))
                .awaitReady(TunnelEnd.READY_TIMEOUT)) {
            Traffic.PingResult p = Traffic.ping(net.a, c.innerB(), 20);
            assertEquals(20, p.received(), p.output());
            // the metrics endpoint, scraped with curl on the loopback of janytun's namespace
            Exec.Result scrape = Exec.run(Duration.ofSeconds(20), net.a.wrap(List.of(
                    ItEnv.requireBinary("curl", "curl"), "-sS", "--max-time", "10",
                    "http://127.0.0.1:" + metricsPort + "/metrics")));
            assertEquals(0, scrape.exitCode(), scrape.describe());
            String labels = "{device=\"" + c.devA() + "\",mux=\"0\"}";
            assertTrue(scrape.output().contains("janytun_connection_received_packets_total" + labels + " 20.0"),
                    scrape.output());
            assertTrue(scrape.output().contains("janytun_connection_sent_packets_total" + labels + " 20.0"),
                    scrape.output());
            assertTrue(scrape.output().contains("process_resident_memory_bytes "), scrape.output());
            JsonNode d = show(c.socketA());
            assertEquals(c.devA(), d.get("device").asText());
            JsonNode conn = d.get("connections").get(0);
            assertEquals(0, conn.get("mux").asInt());
            assertEquals(net.ab.v4(net.b) + ":" + c.portB(), conn.get("remote").asText());
            assertEquals("command line", conn.get("key-source").asText());
            // only the pings cross the tunnel (IPv6 is off on the devices): requests out, replies in
            assertEquals(20, conn.get("packets-out").asLong(), conn.toString());
            assertEquals(20, conn.get("packets-in").asLong(), conn.toString());
            assertEquals(20 * 84, conn.get("bytes-in").asLong(), "84-byte echo replies: " + conn);
            assertEquals(20, d.get("packets-in").asLong(), "the device's total");
            assertTrue(conn.get("last-receive").asLong() <= 2, conn.toString());
            assertTrue(conn.get("seq-reserved").asLong() > conn.get("seq-next").asLong(), conn.toString());
            String human = ctl("-s", c.socketA().toString(), "show").output();
            assertTrue(human.contains("connection: mux 0") && human.contains("20 packets (1680 bytes) in"), human);
            assertTrue(!human.contains(Scenarios.KEY128) && !d.toString().contains(Scenarios.KEY128), "no secret");

            // rotate: janytun first, then uanytun restarted with the new key; count what is lost meanwhile
            try (PingStream ping = PingStream.start(net.a, c.innerB(), 0.05, Duration.ofSeconds(30),
                    c.dir().resolve("ping.log"))) {
                ping.awaitReplyAfter(0, Duration.ofSeconds(5), "before the rotation");
                Exec.Result r = ctl("set-key", "-s", c.socketA().toString(), c.devA(), "mux=0", "key=" + KEY2,
                        "salt=" + SALT2);
                assertEquals(0, r.exitCode(), r.describe());
                peer.close();
                peer = TunnelEnd.start("right2", Kind.UANYTUN, net.b, end(c, false, KEY2, SALT2),
                        c.dir().resolve("uanytun2.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
                double restarted = System.currentTimeMillis();
                ping.awaitReplyAfter(restarted, Duration.ofSeconds(10), "after uanytun restarted with the new key");
                Sleep.millis(1000);
                ping.stop();
                List<PingStream.Loss> lost = lost(ping);
                System.out.println("CtlIT: set-key on janytun, then uanytun restarted with the new key: " + lost.size()
                        + " of " + ping.transmitted() + " pings (every 50 ms) lost");
                assertTrue(lost.size() < 40, "the tunnel comes back within 2 s of uanytun's restart: " + lost.size());
            }
            JsonNode after = show(c.socketA()).get("connections").get(0);
            assertEquals("janytun-ctl", after.get("key-source").asText());
            assertEquals("accepted", after.get("previous-key").asText(), "the old key is still in its grace period");
        } finally {
            peer.close();
        }
    }

    @Test
    void twoJanytunEndsRotateWithoutLosingAPingEvery10ms(TestInfo info) throws Exception {
        Case c = newCase(info);
        try (TunnelEnd a = TunnelEnd.start("left", Kind.JANYTUN, net.a, janytun(c, true, Scenarios.KEY128,
                Scenarios.SALT), c.dir().resolve("janytun-a.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
             TunnelEnd b = TunnelEnd.start("right", Kind.JANYTUN, net.b, janytun(c, false, Scenarios.KEY128,
                     Scenarios.SALT), c.dir().resolve("janytun-b.log")).awaitReady(TunnelEnd.READY_TIMEOUT)) {
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "before the rotation");
            Path pass = c.dir().resolve("new-passphrase");
            Files.writeString(pass, "a new passphrase for both ends\n");
            try (PingStream ping = PingStream.start(net.a, c.innerB(), 0.01, Duration.ofSeconds(40),
                    c.dir().resolve("ping.log"))) {
                ping.awaitReplyAfter(0, Duration.ofSeconds(5), "before the rotation");
                Sleep.millis(500);
                // each end takes the new key at once and sends with it once the other does, or after 4 s
                for (Path s : List.of(c.socketA(), c.socketB())) {
                    Exec.Result r = ctl("-s", s.toString(), "set-key", "x", "mux=0", "passphrase-file=" + pass,
                            "send-after=4", "grace=60");
                    assertEquals(0, r.exitCode(), r.describe());
                }
                Sleep.millis(6000);
                ping.stop();
                List<PingStream.Loss> lost = lost(ping);
                System.out.println("CtlIT: janytun<->janytun rotation: " + lost.size() + " of " + ping.transmitted()
                        + " pings (every 10 ms) lost");
                assertEquals(List.of(), lost, "no ping lost during the rotation");
                assertTrue(ping.transmitted() > 400, "pings every 10 ms: " + ping.transmitted());
            }
            for (Path s : List.of(c.socketA(), c.socketB())) {
                JsonNode conn = show(s).get("connections").get(0);
                assertEquals("janytun-ctl", conn.get("key-source").asText(), conn.toString());
                assertEquals("none", conn.get("next-key").asText(), "both send with the new key: " + conn);
            }
            // and the tunnel works under the new key alone
            Traffic.PingResult p = Traffic.ping(net.b, c.innerA(), 3);
            assertEquals(3, p.received(), p.output());
        }
    }

    /**
     * A reload (janytun-ctl, SIGHUP, and --pid as systemd's ExecReload) takes a new key from the --config file while
     * the tunnel runs, names a changed MTU as waiting for a restart, and refuses a configuration that does not
     * parse without changing anything.
     */
    @Test
    void reloadTakesANewKeyFromTheConfigFileAndNamesWhatWaitsForARestart(TestInfo info) throws Exception {
        Case c = newCase(info);
        Path config = c.dir().resolve("config");
        Files.writeString(config, "key " + Scenarios.KEY128 + "\nsalt " + Scenarios.SALT + "\n");
        // the default socket of a janytun in this namespace: where --pid looks, as systemd's ExecReload does
        Path socketDir = Path.of("/run/janytun/netns/" + net.a.name());
        Path socket = socketDir.resolve(c.devA() + ".ctl");
        TunnelEnd peer = TunnelEnd.start("right", Kind.UANYTUN, net.b, end(c, false, Scenarios.KEY128, Scenarios.SALT),
                c.dir().resolve("uanytun.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
        try (TunnelEnd j = TunnelEnd.start("left", Kind.JANYTUN, net.a, end(c, true, null, null).extra("--config",
                config.toString(), "--control-socket", socket.toString(), "--state-dir",
                c.dir().resolve("state-a").toString()), c.dir().resolve("janytun.log"))
                .awaitReady(TunnelEnd.READY_TIMEOUT)) {
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "under the first key");

            Files.writeString(config, "key " + KEY2 + "\nsalt " + SALT2 + "\nmtu 1300\n");
            Exec.Result r = ctl("-s", socket.toString(), "reload", c.devA());
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(r.output().contains("applied=key") && r.output().contains("needs-restart=--mtu"),
                    r.describe());
            peer.close();
            peer = TunnelEnd.start("right2", Kind.UANYTUN, net.b, end(c, false, KEY2, SALT2),
                    c.dir().resolve("uanytun2.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "after the reload, under the new key");
            JsonNode conn = show(socket).get("connections").get(0);
            assertEquals("reload", conn.get("key-source").asText(), conn.toString());
            assertEquals(1400, net.a.mtu(c.devA()), "the MTU stays until a restart");

            Files.writeString(config, "key " + KEY2 + "\nsalt " + SALT2 + "\nkd-prf nonsense\n");
            Exec.Result bad = ctl("-s", socket.toString(), "reload", c.devA());
            assertEquals(1, bad.exitCode(), bad.describe());
            assertTrue(bad.output().contains("-k/--kd-prf"), "the one-line reason: " + bad.describe());
            j.assertAlive();
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "a refused reload changed nothing");

            // SIGHUP does the same
            Files.writeString(config, "key " + Scenarios.KEY128 + "\nsalt " + Scenarios.SALT + "\n");
            Exec.check("kill", "-HUP", Long.toString(j.pid()));
            j.process().awaitOutput(java.util.regex.Pattern.compile("configuration reloaded: key applied"),
                    Duration.ofSeconds(10));
            peer.close();
            peer = TunnelEnd.start("right3", Kind.UANYTUN, net.b, end(c, false, Scenarios.KEY128, Scenarios.SALT),
                    c.dir().resolve("uanytun3.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "after SIGHUP, under the first key again");

            // systemd: janytun-ctl reload --pid $MAINPID, in the daemon's namespace
            Files.writeString(config, "key " + KEY2 + "\nsalt " + SALT2 + "\n");
            Exec.Result byPid = Exec.run(Duration.ofSeconds(30), net.a.wrap(List.of("env",
                    "JANYTUN_JAVA=" + ItEnv.java(), ItEnv.home().resolve("bin/janytun-ctl").toString(), "reload",
                    "--pid", Long.toString(j.pid()))));
            assertEquals(0, byPid.exitCode(), byPid.describe());
            assertTrue(byPid.output().contains(c.devA() + ": applied=key"), byPid.describe());
        } finally {
            peer.close();
            Exec.run(Duration.ofSeconds(10), List.of("rm", "-rf", socketDir.toString()));
        }
    }

    @Test
    void onlyRootReachesTheSocketAndBadRequestsLeaveTheDaemonRunning(TestInfo info) throws Exception {
        Case c = newCase(info);
        try (TunnelEnd j = TunnelEnd.start("left", Kind.JANYTUN, net.a, janytun(c, true, Scenarios.KEY128,
                Scenarios.SALT), c.dir().resolve("janytun.log")).awaitReady(TunnelEnd.READY_TIMEOUT)) {
            List<String> asNobody = new ArrayList<>(List.of(ItEnv.requireBinary("setpriv", "util-linux"),
                    "--reuid=65534", "--regid=65534", "--clear-groups"));
            asNobody.addAll(JavaTool.command(UnixConnect.class, c.socketA().toString()));
            Exec.Result r = Exec.run(Duration.ofSeconds(30), asNobody);
            assertEquals(1, r.exitCode(), "a non-root user cannot connect: " + r.describe());
            assertTrue(r.output().contains("Permission denied"), r.describe());
            Exec.Result root = Exec.run(Duration.ofSeconds(30), JavaTool.command(UnixConnect.class,
                    c.socketA().toString()));
            assertEquals(0, root.exitCode(), root.describe());

            Exec.Result bad = ctl("-s", c.socketA().toString(), "set-key", c.devA(), "mux=9", "key=" + KEY2,
                    "salt=" + SALT2);
            assertEquals(1, bad.exitCode(), bad.describe());
            assertTrue(bad.output().contains("no connection with mux 9"), bad.describe());
            bad = ctl("-s", c.socketA().toString(), "set-key", c.devA(), "mux=0", "key=00", "salt=" + SALT2);
            assertEquals(1, bad.exitCode(), bad.describe());
            assertTrue(!bad.output().contains(SALT2), "no secret echoed: " + bad.describe());
            assertEquals(2, ctl("frobnicate").exitCode());
            bad = ctl("-s", c.socketA().toString(), "add", c.devA(), "mux=3", "key=" + KEY2, "salt=" + SALT2);
            assertEquals(1, bad.exitCode(), bad.describe());
            assertTrue(bad.output().contains("point-to-point tunnel has its one connection"), bad.describe());
            j.assertAlive();
            assertEquals("command line", show(c.socketA()).get("connections").get(0).get("key-source").asText(),
                    "a refused set-key changed nothing");
        }
        assertTrue(Files.notExists(c.socketA()), "the socket goes with the daemon");
    }

    /**
     * systemd's Type=notify played by the test: janytun in the foreground with NOTIFY_SOCKET sends READY=1 only once
     * the device is up with its address and the tunnel carries a ping, and STOPPING=1 on SIGTERM.
     */
    @Test
    void notifiesSystemdOnlyOnceTheTunnelIsUp(TestInfo info) throws Exception {
        Case c = newCase(info);
        String notifyPath = c.socketB().getParent().resolve("notify").toString();
        int fd = org.janytun.os.Libc.socket(org.janytun.os.Libc.AF_UNIX, org.janytun.os.Libc.SOCK_DGRAM
                | org.janytun.os.Libc.SOCK_CLOEXEC | org.janytun.os.Libc.SOCK_NONBLOCK, 0);
        try (TunnelEnd peer = TunnelEnd.start("right", Kind.UANYTUN, net.b, end(c, false, Scenarios.KEY128,
                Scenarios.SALT), c.dir().resolve("uanytun.log")).awaitReady(TunnelEnd.READY_TIMEOUT)) {
            org.janytun.os.Libc.bindUnix(fd, notifyPath);
            List<String> argv = new ArrayList<>(Kind.JANYTUN.launcher());
            argv.addAll(janytun(c, true, Scenarios.KEY128, Scenarios.SALT).extra("--mtu", "1420").toArgs());
            java.util.Map<String, String> env = new java.util.HashMap<>(Kind.JANYTUN.environment());
            env.put("NOTIFY_SOCKET", notifyPath);
            try (ManagedProcess j = ManagedProcess.start("janytun under a NOTIFY_SOCKET", net.a.wrap(argv),
                    c.dir().resolve("janytun.log"), env)) {
                String ready = receive(fd, 30_000, j);
                // at the moment READY=1 arrives, the tunnel is usable
                assertTrue(net.a.linkExists(c.devA()) && net.a.addresses(c.devA()).contains("inet " + c.innerA() + "/"),
                        "device and address up when READY=1 arrives");
                assertTrue(net.a.linkUp(c.devA()));
                Exec.Result link = Exec.run(Duration.ofSeconds(10), net.a.wrap(List.of(
                        ItEnv.requireBinary("ip", "iproute2"), "link", "show", c.devA())));
                assertTrue(link.output().contains(" mtu 1420 "), "--mtu: " + link.output());
                assertTrue(ready.startsWith("READY=1\nSTATUS=tunnel on " + c.devA() + " up, remote "), ready);
                assertTrue(ready.contains("MAINPID="), ready);
                assertTrue(j.printed(java.util.regex.Pattern.compile("janytun started")),
                        "READY=1 comes after the start-up is complete");
                Traffic.PingResult p = Traffic.ping(net.a, c.innerB(), 1);
                assertEquals(1, p.received(), p.output());
                ProcessHandle.of(j.pid()).orElseThrow().destroy(); // SIGTERM
                assertEquals("STOPPING=1\n", receive(fd, 10_000, null));
                assertEquals(0, j.awaitExit(Duration.ofSeconds(10)));
            }
        } finally {
            org.janytun.os.Libc.close(fd);
            Files.deleteIfExists(Path.of(notifyPath));
        }
    }

    private static String receive(int fd, long millis, ManagedProcess j) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            try {
                return new String(org.janytun.os.Libc.recv(fd, 4096, 0), java.nio.charset.StandardCharsets.UTF_8);
            } catch (org.janytun.os.OsException e) {
                if (e.errno() != org.janytun.os.Libc.EAGAIN) {
                    throw e;
                }
                if (System.nanoTime() > deadline || (j != null && !j.isAlive())) {
                    throw new AssertionError("no notification within " + millis + " ms"
                            + (j == null ? "" : "\n" + j.diagnostics(30)));
                }
                Sleep.millis(10);
            }
        }
    }
}
