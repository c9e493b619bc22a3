package org.janytun.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.janytun.cli.ConfigMain;
import org.janytun.it.Reaper;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncSamples;
import org.janytun.sync.TableChange;
import org.janytun.sync.TableMarker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/janytun-controld against Debian's anytun-controld, on 127.0.0.1: the same table gives the same bytes; SIGHUP
 * reload and push; bad tables refused with their line number; daemon mode with a pid file.
 */
class ControldIT {
    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A process that is killed by its PID when closed. */
    private record Proc(Process process, Path log) implements AutoCloseable {
        static Proc start(Path log, List<String> command) throws IOException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            Reaper.track(p.toHandle());
            return new Proc(p, log);
        }

        long pid() {
            return process.pid();
        }

        String output() throws IOException {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() {
            Reaper.kill(process.toHandle(), 2000);
            Reaper.untrack(process.toHandle());
        }
    }

    /** Connects (retrying for up to 20 s while the server starts) and reads until it is quiet for 1.5 s. */
    private static byte[] fetch(int port) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                return ControlServerTest.readUntilIdle(s, 1500);
            } catch (java.net.ConnectException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("nothing listens on 127.0.0.1:" + port);
                }
                Thread.sleep(100);
            }
        }
    }

    private Proc reference(Path table, int port) throws IOException {
        return Proc.start(tmp.resolve("anytun-controld-" + port + ".log"), List.of(Tools.reference("anytun-controld"),
                "-D", "-f", table.toString(), "-X", "127.0.0.1:" + port, "-L", "stdout:5"));
    }

    private Proc ours(Path table, int port, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Tools.launcher("janytun-controld"), "-D", "-f", table.toString(),
                "-X", "127.0.0.1:" + port, "-L", "stdout:5"));
        cmd.addAll(List.of(extra));
        return Proc.start(tmp.resolve("janytun-controld-" + port + ".log"), cmd);
    }

    private Path generatedTable() throws IOException {
        StringBuilder sb = new StringBuilder();
        String[][] clients = {
            {"-m", "1", "-E", "Client_One", "-R", "192.168.88.1/32", "-R", "fd00:88::1/128"},
            {"-m", "2", "-k", "aes-ctr-256", "-E", "Client_Two", "-r", "127.0.0.2", "-o", "5555", "-R",
                "10.88.2.0/24", "-R", "10.0.0.128/25"},
            {"-m", "65535", "-k", "null", "-R", "0.0.0.0/0", "-R", "::/0"},
            {"-m", "7", "-e", "client", "-w", "64", "-K", "00112233445566778899aabbccddeeff",
                "-A", "0102030405060708090a0b0c0d0e", "-r", "::ffff:10.1.2.3"},
        };
        for (String[] c : clients) {
            Tools.Result r = Tools.inProcess((out, err) -> ConfigMain.run(c, out, err));
            assertEquals(0, r.exitCode(), r.stderr());
            sb.append(r.out());
        }
        Path p = tmp.resolve("generated.txt");
        Files.writeString(p, sb.toString(), StandardCharsets.ISO_8859_1);
        return p;
    }

    @Test
    void sameBytesAsAnytunControld() throws Exception {
        List<Path> tables = List.of(SyncSamples.file("scenarioB-controld-table.txt"),
                SyncSamples.file("scenarioB-controld-table2.txt"),
                SyncSamples.file("examples-server-conf.d-controld-table.txt"),
                SyncSamples.file("config-nullkd-v6remote-default-routes.txt"),
                generatedTable());
        for (Path table : tables) {
            int refPort = freePort();
            int ourPort = freePort();
            try (Proc ref = reference(table, refPort); Proc ours = ours(table, ourPort)) {
                byte[] expected = fetch(refPort);
                byte[] got = fetch(ourPort);
                assertTrue(expected.length > 0, "the reference sent nothing: " + ref.output());
                assertEquals(new String(expected, StandardCharsets.ISO_8859_1), new String(got, StandardCharsets.ISO_8859_1),
                        table.toString());
                // a second client gets the same again
                assertArrayEquals(expected, fetch(ourPort));
                // and janytun-showtables -c reads both alike
                Tools.Result a = Tools.run(Duration.ofSeconds(30), null, List.of(Tools.launcher("janytun-showtables"),
                        "-c", "127.0.0.1:" + refPort, "-t", "1"));
                Tools.Result b = Tools.run(Duration.ofSeconds(30), null, List.of(Tools.launcher("janytun-showtables"),
                        "-c", "127.0.0.1:" + ourPort, "-t", "1"));
                assertEquals(0, a.exitCode(), a.stderr());
                assertEquals(a.out(), b.out());
                assertEquals(ControlTable.read(table).size(), a.out().lines().count());
            }
        }
        assertArrayEquals(SyncSamples.bytes("scenarioB-controld-wire.raw"),
                ControlTable.read(SyncSamples.file("scenarioB-controld-table.txt")).wire());
    }

    @Test
    void sighupReloadsAndPushes() throws Exception {
        Path table = tmp.resolve("table.txt");
        byte[] t1 = SyncSamples.bytes("scenarioB-controld-table.txt");
        byte[] t2 = SyncSamples.bytes("scenarioB-controld-table2.txt");
        Files.write(table, t1);
        int port = freePort();
        try (Proc ours = ours(table, port)) {
            byte[] wire1 = ControlTable.read(table).wire();
            assertArrayEquals(wire1, fetch(port));
            try (Socket watcher = new Socket()) {
                watcher.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                watcher.setSoTimeout(10_000);
                assertArrayEquals(wire1, ControlServerTest.readExactly(watcher.getInputStream(), wire1.length));

                Files.write(table, t2);
                signal(ours.pid(), "HUP");
                SyncCodec codec = new SyncCodec();
                byte[] wire2 = ControlTable.read(table).wire();
                // what changed, between a change and an end marker (a real anytun -X applies the changed frames)
                ControlTable.Change change = ControlTable.read(table).changeFrom(ControlTable.parse(t1, "t1"));
                assertTrue(!change.frames().isEmpty(), "the two sample tables differ");
                String expected = codec.encodeFrameText(new TableChange(1))
                        + new String(change.wire(codec), StandardCharsets.ISO_8859_1)
                        + codec.encodeFrameText(new TableMarker(false, 1));
                assertEquals(expected, new String(ControlServerTest.readExactly(watcher.getInputStream(),
                        expected.length()), StandardCharsets.ISO_8859_1));
                assertArrayEquals(wire2, fetch(port));

                // a bad line: refused with its number, the old table stays and nothing is pushed
                Files.writeString(table, new String(t1, StandardCharsets.ISO_8859_1) + "00010 garbage!!\n");
                signal(ours.pid(), "HUP");
                waitForLog(ours, "table.txt:7:");
                assertArrayEquals(wire2, fetch(port));
                watcher.setSoTimeout(1000);
                assertEquals(0, ControlServerTest.readUntilIdle(watcher, 1000).length);
            }
            assertTrue(ours.output().contains("table refused, the old table stays"), ours.output());
        }
    }

    private static void waitForLog(Proc p, String text) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!p.output().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + text + "' not logged:\n" + p.output());
            }
            Thread.sleep(50);
        }
    }

    private static void signal(long pid, String sig) {
        Tools.Result r = Tools.run(Duration.ofSeconds(5), null, List.of("kill", "-" + sig, Long.toString(pid)));
        assertEquals(0, r.exitCode(), r.stderr());
    }

    @Test
    void badTableRefusedAtStart() throws Exception {
        Path table = tmp.resolve("bad.txt");
        String good = Files.readString(SyncSamples.file("scenarioB-controld-table.txt"));
        String[] lines = good.split("\n");
        Files.writeString(table, lines[0] + "\n" + lines[1] + "\n" + lines[2].substring(0, 50) + "\n");
        Tools.Result r = Tools.run(Duration.ofSeconds(30), null, List.of(Tools.launcher("janytun-controld"), "-D",
                "-f", table.toString(), "-X", "127.0.0.1:" + freePort()));
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().startsWith("janytun-controld: " + table + ":3: "), r.stderr());
        assertEquals(1, r.stderr().lines().count(), r.stderr());

        Tools.Result missing = Tools.run(Duration.ofSeconds(30), null, List.of(Tools.launcher("janytun-controld"),
                "-D", "-X", "127.0.0.1:" + freePort()));
        assertEquals(2, missing.exitCode());
        assertTrue(missing.stderr().startsWith("janytun-controld: -f/--file: required"), missing.stderr());

        Tools.Result badX = Tools.run(Duration.ofSeconds(30), null, List.of(Tools.launcher("janytun-controld"),
                "-D", "-f", table.toString(), "-X", "127.0.0.1:99999"));
        assertEquals(2, badX.exitCode());
        assertTrue(badX.stderr().startsWith("janytun-controld: -X/--control-host: "), badX.stderr());
    }

    /** As a daemon in a chroot without /dev, as nobody: serves, and SIGHUP still re-reads the table inside it. */
    @Test
    void daemonInChrootAsNobody() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path etc = Files.createDirectories(root.resolve("etc"));
        for (Path d : List.of(root, etc)) {
            Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path table = etc.resolve("table.txt");
        Files.write(table, SyncSamples.bytes("scenarioB-controld-table.txt"));
        Path pidFile = tmp.resolve("chroot.pid");
        int port = freePort();
        long pid = startDetached(pidFile, "-f", table.toString(), "-X", "127.0.0.1:" + port, "-C", root.toString(),
                "-u", "nobody", "-L", "file:5," + tmp.resolve("chroot.log"));
        try {
            ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
            assertArrayEquals(ControlTable.read(table).wire(), fetch(port));
            Files.write(table, SyncSamples.bytes("scenarioB-controld-table2.txt"));
            signal(pid, "HUP");
            byte[] wire2 = ControlTable.read(table).wire();
            long deadline = System.nanoTime() + 10_000_000_000L;
            byte[] got = fetch(port);
            while (!java.util.Arrays.equals(wire2, got) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                got = fetch(port);
            }
            assertArrayEquals(wire2, got, Files.readString(tmp.resolve("chroot.log")));
            signal(pid, "TERM");
            h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            killIfAlive(pid);
        }
    }

    @Test
    void daemonWithPidFileStopsOnSigterm() throws Exception {
        Path table = tmp.resolve("t.txt");
        Files.write(table, SyncSamples.bytes("examples-server-conf.d-controld-table.txt"));
        Path pidFile = tmp.resolve("controld.pid");
        int port = freePort();
        long pid = startDetached(pidFile, "-f", table.toString(), "-X", "127.0.0.1:" + port,
                "-L", "file:5," + tmp.resolve("d.log"));
        try {
            ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
            assertArrayEquals(ControlTable.read(table).wire(), fetch(port));
            signal(pid, "TERM");
            assertTrue(h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS) != null);
            assertFalse(Files.exists(pidFile), "pid file left behind");
        } finally {
            killIfAlive(pid);
        }
    }

    /** Starts janytun-controld detached with {@code -P pidFile} and {@code options}; returns its PID, tracked. */
    private static long startDetached(Path pidFile, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.launcher("janytun-controld"), "-P", pidFile.toString()));
        cmd.addAll(List.of(options));
        Tools.Result start = Tools.run(Duration.ofSeconds(30), null, cmd);
        assertEquals(0, start.exitCode(), start.stderr());
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        Reaper.track(ProcessHandle.of(pid).orElseThrow());
        return pid;
    }

    /** Kills a daemon the test started (by PID, if it still runs) and stops tracking it. */
    private static void killIfAlive(long pid) {
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(h -> {
                Reaper.kill(h, 1000);
                Reaper.untrack(h);
            });
        }
    }
}
