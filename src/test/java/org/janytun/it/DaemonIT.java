package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.janytun.os.NetNamespace;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The janytun process as an operator sees it, each time against a real uanytun: detaching, pid file, privilege
 * drop and chroot, post-up script, signals, and hostile datagrams that must neither crash the daemon nor move
 * its endpoint. Everything runs in namespaces this class creates and removes.
 */
class DaemonIT {
    private static final String KEY = Scenarios.KEY128;
    private static final String SALT = Scenarios.SALT;
    private static TestNet net;
    private static int caseNo;

    @RegisterExtension
    static final SharedTestNet NET = new SharedTestNet(n -> net = n);

    /** A case's own ports, devices and tunnel subnet, so cases never see each other's traffic. */
    private record Ends(String devA, String devB, String innerA, String innerB, int portA, int portB, Path logs) {}

    private static Ends ends(TestInfo info) throws Exception {
        int n = ++caseNo;
        Path logs = ItEnv.logRoot().resolve("DaemonIT").resolve(n + "-" + info.getTestMethod().orElseThrow().getName());
        Files.createDirectories(logs);
        return new Ends("tunjA" + n, "tunjB" + n, "10.77." + n + ".1", "10.77." + n + ".2", 5400 + n, 5500 + n, logs);
    }

    private static EndpointSpec uanytunRight(Ends e) {
        return new EndpointSpec().role("right").key(KEY).salt(SALT).window(64).devName(e.devB())
                .ifconfig(e.innerB() + "/24").localPort(e.portB()).remoteHost(net.ab.v4(net.a)).remotePort(e.portA());
    }

    private static List<String> janytunLeftArgs(Ends e) {
        return new ArrayList<>(List.of("-e", "left", "-K", KEY, "-A", SALT, "-w", "64", "-d", e.devA(),
                "-n", e.innerA() + "/24", "-p", Integer.toString(e.portA()), "-r", net.ab.v4(net.b),
                "-o", Integer.toString(e.portB())));
    }

    private static List<String> janytun(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Kind.janytunLauncher().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Exec.Result runJanytun(Netns ns, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("env");
        cmd.add("JANYTUN_JAVA=" + ItEnv.java());
        cmd.addAll(janytun(args.toArray(String[]::new)));
        return Exec.run(Duration.ofSeconds(30), ns.wrap(cmd));
    }

    private static String status(long pid) throws Exception {
        return Files.readString(Path.of("/proc/" + pid + "/status"));
    }

    private static String statusLine(String status, String key) {
        return status.lines().filter(l -> l.startsWith(key + ":")).findFirst().orElse("").replaceAll("\\s+", " ");
    }

    /** Without -D, janytun returns once the tunnel is up; the detached daemon writes -P, forwards, and SIGTERM ends it. */
    @Test
    void detachesWritesPidFileAndStopsCleanly(TestInfo info) throws Exception {
        Ends e = ends(info);
        Path pidFile = e.logs().resolve("janytun.pid");
        List<String> args = janytunLeftArgs(e);
        args.addAll(List.of("-P", pidFile.toString(), "-L", "file:5," + e.logs().resolve("janytun.log")));
        long pid = -1;
        try (TunnelEnd peer = TunnelEnd.start("right", Kind.UANYTUN, net.b, uanytunRight(e),
                e.logs().resolve("uanytun.log")).awaitReady(TunnelEnd.READY_TIMEOUT)) {
            Exec.Result r = runJanytun(net.a, args);
            assertEquals(0, r.exitCode(), "janytun should return 0 once detached:\n" + r.output());
            pid = Long.parseLong(Files.readString(pidFile).trim());
            Reaper.track(ProcessHandle.of(pid).orElseThrow());
            assertTrue(ProcessHandle.of(pid).isPresent(), "the daemon runs after the foreground process returned");
            String st = status(pid);
            // ps tells the tunnels apart: the detached copy is named after its device, in argv and comm
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace("\0", " ").strip();
            assertEquals("janytun[" + e.devA() + "]", cmdline, "the detached daemon's command line");
            assertEquals("janytun[" + e.devA() + "]", Files.readString(Path.of("/proc/" + pid + "/comm")).strip());
            assertTrue(net.a.linkExists(e.devA()), "device exists when janytun returns");
            // its own session: the sid of the daemon is its pid
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals(Long.toString(pid), f[3], "session id (setsid)");
            assertTrue(Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/1")).toString().equals("/dev/null"),
                    "stdout let go");
            Traffic.awaitPing(net.a, e.innerB(), Traffic.PING_BUDGET, "janytun daemon -> uanytun");
            Traffic.awaitPing(net.b, e.innerA(), Traffic.PING_BUDGET, "uanytun -> janytun daemon");
            assertTrue(st.contains("State"));

            ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
            Exec.check("kill", "-TERM", Long.toString(pid));
            h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(Files.exists(pidFile), "pid file removed on SIGTERM");
            assertFalse(net.a.linkExists(e.devA()), "device gone after exit");
        } finally {
            killIfAlive(pid);
        }
    }

    /** -u/-g: the running daemon has the new uid and gid (every thread), and still forwards in both directions. */
    @Test
    void dropsPrivilegesAndChrootsAfterSetUp(TestInfo info) throws Exception {
        Ends e = ends(info);
        Path jail = e.logs().resolve("jail");
        Files.createDirectories(jail);
        List<String> args = janytunLeftArgs(e);
        args.addAll(List.of("-D", "-L", "stdout:5", "-u", "nobody", "-g", "nogroup", "-C", jail.toString()));
        try (TunnelEnd peer = TunnelEnd.start("right", Kind.UANYTUN, net.b, uanytunRight(e),
                e.logs().resolve("uanytun.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
             ManagedProcess j = ManagedProcess.start("janytun -u nobody", net.a.wrap(janytun(args.toArray(String[]::new))),
                     e.logs().resolve("janytun.log"), Map.of("JANYTUN_JAVA", ItEnv.java()))) {
            j.awaitOutput(java.util.regex.Pattern.compile("janytun started"), Duration.ofSeconds(20));
            long pid = javaPid(j);
            String st = status(pid);
            assertEquals("Uid: 65534 65534 65534 65534", statusLine(st, "Uid"), st);
            assertEquals("Gid: 65534 65534 65534 65534", statusLine(st, "Gid"), st);
            for (Path task : Files.list(Path.of("/proc/" + pid + "/task")).toList()) {
                assertEquals("Uid: 65534 65534 65534 65534", statusLine(Files.readString(task.resolve("status")), "Uid"),
                        "thread " + task.getFileName());
            }
            assertEquals(jail.toRealPath(), Files.readSymbolicLink(Path.of("/proc/" + pid + "/root")));
            Traffic.awaitPing(net.a, e.innerB(), Traffic.PING_BUDGET, "janytun as nobody -> uanytun");
            Traffic.awaitPing(net.b, e.innerA(), Traffic.PING_BUDGET, "uanytun -> janytun as nobody");
            // a harness started under nohup passes SIGHUP on as ignored, and the JVM then leaves it ignored
            assertEquals(0, Long.parseLong(statusLine(status(pid), "SigIgn").split("\\s+")[1], 16) & 1L,
                    "SIGHUP is ignored by the process that runs the tests (nohup?): janytun cannot see it");
            Exec.check("kill", "-HUP", Long.toString(pid));
            j.awaitOutput(java.util.regex.Pattern.compile("SIGHUP received"), Duration.ofSeconds(10));
            Traffic.awaitPing(net.a, e.innerB(), Traffic.PING_BUDGET, "still forwarding after SIGHUP");
            assertTrue(j.isAlive(), "SIGHUP does not stop janytun");
        }
    }

    /**
     * Garbage of every size, valid-looking headers with bad tags, and a replay from a third address: nothing
     * crashes the daemon, nothing moves its endpoint, and the drops are summarised rather than logged one by one.
     */
    @Test
    void hostileDatagramsAreDroppedAndCounted(TestInfo info) throws Exception {
        Ends e = ends(info);
        List<String> args = janytunLeftArgs(e);
        args.addAll(List.of("-D", "-L", "stdout:5"));
        try (TunnelEnd peer = TunnelEnd.start("right", Kind.UANYTUN, net.b, uanytunRight(e),
                e.logs().resolve("uanytun.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
             ManagedProcess j = ManagedProcess.start("janytun", net.a.wrap(janytun(args.toArray(String[]::new))),
                     e.logs().resolve("janytun.log"), Map.of("JANYTUN_JAVA", ItEnv.java()))) {
            j.awaitOutput(java.util.regex.Pattern.compile("janytun started"), Duration.ofSeconds(20));
            Traffic.awaitPing(net.a, e.innerB(), Traffic.PING_BUDGET, "before the attack");

            // a stranger on the peer's host (namespace B, another port): the only place that reaches A
            InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(net.ab.v4(net.a)), e.portA());
            int sent = NetNamespace.callIn(net.b.name(), () -> {
                Random random = new Random(7);
                int count = 0;
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(net.ab.v4(net.b)), 0))) {
                    for (int len : new int[] {0, 1, 7, 8, 17, 18, 19, 64, 1400, 1600, 1601, 2000, 9000}) {
                        for (int i = 0; i < 20; i++) {
                            byte[] b = new byte[len];
                            random.nextBytes(b);
                            if (len >= 8) {
                                b[6] = 0; // mux 0: through to the tag check
                                b[7] = 0;
                            }
                            s.send(new DatagramPacket(b, b.length, target));
                            count++;
                        }
                    }
                }
                return count;
            });
            assertTrue(sent > 200);
            Thread.sleep(300);
            assertTrue(j.isAlive(), "janytun survived " + sent + " hostile datagrams\n" + j.tail(20));
            Traffic.awaitPing(net.a, e.innerB(), Traffic.PING_BUDGET, "after the attack: endpoint unchanged");
            Traffic.awaitPing(net.b, e.innerA(), Traffic.PING_BUDGET, "after the attack, other direction");
            j.awaitOutput(java.util.regex.Pattern.compile("dropped \\d+ packets?: wrong authentication tag"),
                    Duration.ofSeconds(15));
            String out = j.output();
            assertFalse(out.contains("autodetected remote host changed"), "no endpoint move:\n" + out);
            long perPacketLines = out.lines().filter(l -> l.contains("authentication tag")).count();
            assertTrue(perPacketLines < 5, "drops are summarised, not logged per packet: " + perPacketLines + " lines");
            // defect 8: a SIGTERM stops janytun -D cleanly with status 0, as the man page says
            new ProcessBuilder("kill", "-TERM", Long.toString(j.pid())).inheritIO().start().waitFor();
            assertEquals(0, j.awaitExit(Duration.ofSeconds(15)), "exit status after SIGTERM\n" + j.tail(10));
        }
    }

    /** -x: the script runs once the device is configured, with the device name, and its status is logged. */
    @Test
    void postUpScriptSeesTheConfiguredDevice(TestInfo info) throws Exception {
        Ends e = ends(info);
        Path out = e.logs().resolve("postup.out");
        Path script = e.logs().resolve("postup.sh");
        String ip = ItEnv.requireBinary("ip", "iproute2");
        Files.writeString(script, "#!/bin/sh\necho \"dev=$1 args=$#\" > " + out + "\n" + ip + " addr show dev \"$1\" >> "
                + out + "\nexit 3\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> args = janytunLeftArgs(e);
        args.addAll(List.of("-D", "-L", "stdout:5", "-x", script.toString()));
        try (ManagedProcess j = ManagedProcess.start("janytun -x", net.a.wrap(janytun(args.toArray(String[]::new))),
                e.logs().resolve("janytun.log"), Map.of("JANYTUN_JAVA", ItEnv.java()))) {
            j.awaitOutput(java.util.regex.Pattern.compile("script '.*' returned 3"), Duration.ofSeconds(20));
            String got = Files.readString(out);
            assertTrue(got.startsWith("dev=" + e.devA() + " args=1"), got);
            assertTrue(got.contains("inet " + e.innerA() + "/24"), "-n applied before the script:\n" + got);
            assertTrue(got.contains("mtu 1400"), got);
        }
    }

    /**
     * An /etc/anytun-style directory (config with long options, comments, post-up.sh) started with
     * bin/janytun-launcher, as the systemd unit does, talks to a real uanytun.
     */
    @Test
    void debianConfigDirectoryStartsWithTheLauncher(TestInfo info) throws Exception {
        Ends e = ends(info);
        Path etc = e.logs().resolve("etc-anytun");
        Path vpn = etc.resolve("office");
        Files.createDirectories(vpn);
        Path marker = e.logs().resolve("post-up.ran");
        Files.writeString(vpn.resolve("config"), String.join("\n",
                "# written for Debian's anytun",
                "role left",
                "dev " + e.devA() + "        # the tun device",
                "ifconfig " + e.innerA() + "/24",
                "key " + KEY,
                "salt " + SALT,
                "window-size 64",
                "port " + e.portA(),
                "remote-host " + net.ab.v4(net.b),
                "remote-port " + e.portB(),
                "log stdout:5",
                "") + "\n");
        Files.writeString(vpn.resolve("post-up.sh"), "#!/bin/sh\necho \"$1\" > " + marker + "\n");
        Files.setPosixFilePermissions(vpn.resolve("post-up.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = e.logs().resolve("run");
        List<String> cmd = List.of(ItEnv.home().resolve("bin/janytun-launcher").toString(), "vpn", "office");
        try (TunnelEnd peer = TunnelEnd.start("right", Kind.UANYTUN, net.b, uanytunRight(e),
                e.logs().resolve("uanytun.log")).awaitReady(TunnelEnd.READY_TIMEOUT);
             ManagedProcess j = ManagedProcess.start("janytun-launcher vpn office", net.a.wrap(cmd),
                     e.logs().resolve("janytun.log"), Map.of("JANYTUN_JAVA", ItEnv.java(), "CONFIG_DIR",
                             etc.toString(), "RUN_DIR", run.toString(), "DAEMONOPTS", "-D"))) {
            j.awaitOutput(java.util.regex.Pattern.compile("janytun started"), Duration.ofSeconds(20));
            Traffic.awaitPing(net.a, e.innerB(), Traffic.PING_BUDGET, "config-dir janytun -> uanytun");
            Traffic.awaitPing(net.b, e.innerA(), Traffic.PING_BUDGET, "uanytun -> config-dir janytun");
            assertEquals(e.devA(), Files.readString(marker).strip(), "post-up.sh ran with the device name");
            assertEquals(Long.toString(j.pid()), Files.readString(run.resolve("office.pid")).strip(),
                    "pid file where the launcher puts it");
        }
    }

    /**
     * Debian's example multi-client server, as the package ships it in /usr/share/anytun/examples/config/server
     * (config + conf.d/client1..3), started with janytun-launcher configd and vpn: the control daemon serves what
     * the conf.d files say, and a real uanytun client 1 reaches the server.
     */
    @Test
    void debianServerExampleWithConfDirectory(TestInfo info) throws Exception {
        Ends e = ends(info);
        Path example = Path.of("/usr/share/anytun/examples/config/server");
        assertTrue(Files.isDirectory(example.resolve("conf.d")), "Debian's anytun package ships " + example);
        Path etc = e.logs().resolve("etc-anytun");
        Path vpn = etc.resolve("server");
        Files.createDirectories(vpn.resolve("conf.d"));
        for (String c : List.of("client1", "client2", "client3")) {
            Files.copy(example.resolve("conf.d").resolve(c), vpn.resolve("conf.d").resolve(c),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING); // a rerun finds the last run's logs
        }
        int ctl = 4500 + caseNo;
        // the example's config with this test's ports, device and logging
        String config = Files.readString(example.resolve("config"))
                .replace("control-host 127.0.0.1:4444", "control-host 127.0.0.1:" + ctl)
                .replace("port 4444", "port " + e.portB())
                .replaceAll("(?m)^log .*$", "log stdout:5")
                + "\ndev " + e.devB() + "\nifconfig 192.168.123.254/24\n";
        Files.writeString(vpn.resolve("config"), config);
        Map<String, String> env = Map.of("JANYTUN_JAVA", ItEnv.java(), "CONFIG_DIR", etc.toString(), "RUN_DIR",
                e.logs().resolve("run").toString(), "CONTROLD_RUN_DIR", e.logs().resolve("run-controld").toString(),
                "DAEMONOPTS", "-D");
        String launcher = ItEnv.home().resolve("bin/janytun-launcher").toString();
        EndpointSpec client1 = new EndpointSpec().role("client").mux(1)
                .passphrase("Creating_VPN_Tunnels_With_Anytun_Is_Easy").devName(e.devA())
                .ifconfig("192.168.123.1/24").localPort(e.portA()).remoteHost(net.ab.v4(net.b))
                .remotePort(e.portB());
        Map<String, String> ctlEnv = new java.util.HashMap<>(env);
        ctlEnv.put("DAEMONOPTS", "-D -L stdout:5"); // as Debian's unit: controld logs to stdout
        try (ManagedProcess ctld = ManagedProcess.start("launcher configd", net.b.wrap(List.of(launcher, "configd",
                     "server")), e.logs().resolve("controld.log"), ctlEnv);
             ManagedProcess srv = ManagedProcess.start("launcher vpn", net.b.wrap(List.of(launcher, "vpn", "server")),
                     e.logs().resolve("server.log"), env);
             TunnelEnd c = TunnelEnd.start("client1", Kind.UANYTUN, net.a, client1, e.logs().resolve("client1.log"))
                     .awaitReady(TunnelEnd.READY_TIMEOUT)) {
            ctld.awaitOutput(java.util.regex.Pattern.compile("janytun-controld started"), Duration.ofSeconds(30));
            srv.awaitOutput(java.util.regex.Pattern.compile("control: table from .*: 3 connections, 6 routes"),
                    Duration.ofSeconds(30));
            Traffic.awaitPing(net.a, "192.168.123.254", Traffic.PING_BUDGET, "uanytun client1 -> launcher server");
            String table = Files.readString(e.logs().resolve("run-controld").resolve("server"));
            assertEquals(9, table.lines().count(), "3 clients, each a connection and two routes:\n" + table);
        }
    }

    /** Bad options: one line naming the option, exit status 2, no tunnel, and secrets never echoed. */
    @Test
    void badOptionsGiveOneLineAndStatus2() {
        String[][] cases = {
                {"-K", "0011", "--dev", "x"},
                {"-A", "zz112233445566778899aabbccdd"},
                {"-c", "aes-gcm"},
                {"-k", "aes-ctr-256", "-K", KEY, "-A", SALT},
                {"-e", "middle"},
                {"-p", "70000"},
                {"-m", "-1"},
                {"-d", "foo0"},
                {"-n", "10.1.2.3"},
                {"-4", "-6"},
                {"--no-such-option"},
                {"-S", "2323x"},
                {"-M", "10.0.0.1:99999"},
                {"-L", "syslog:9"},
        };
        for (String[] c : cases) {
            Exec.Result r = Exec.run(Duration.ofSeconds(20), janytun(c));
            String out = r.output().strip();
            assertEquals(2, r.exitCode(), String.join(" ", c) + " -> " + out);
            assertEquals(1, out.lines().count(), "one line for " + String.join(" ", c) + ":\n" + out);
            assertTrue(out.startsWith("janytun: -") || out.startsWith("janytun: unknown"),
                    "names the option: " + out);
            assertFalse(out.contains("0011") || out.contains(KEY), "never echoes a key: " + out);
        }
    }

    /** The pid of the JVM behind bin/janytun (the launcher execs java, so it is the same process). */
    private static long javaPid(ManagedProcess p) {
        return p.pid();
    }

    private static void killIfAlive(long pid) {
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroyForcibly();
                try {
                    h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // best effort: the Reaper tries again at exit
                }
            });
        }
    }
}
