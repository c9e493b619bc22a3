package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.janytun.crypto.Role;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.SyncCodec;
import org.junit.jupiter.api.Test;

/**
 * A janytun server whose heap cannot hold the table it is served ends, with the JVM's one-line reason and status
 * 3, instead of living on without serving anything (what a 10,000-connection table did with the launcher's
 * 64 MiB before): systemd then restarts it. The heap is made small (JANYTUN_JVM_OPTS) rather than the table huge.
 */
class OutOfMemoryIT {

    @Test
    void aServerThatRunsOutOfMemoryExits() throws Exception {
        Preflight.require();
        Path logs = ItEnv.logRoot().resolve("OutOfMemoryIT");
        Files.createDirectories(logs);
        Path table = logs.resolve("table.txt");
        SyncCodec codec = new SyncCodec();
        StringBuilder sb = new StringBuilder();
        byte[] salt = new byte[14];
        for (int mux = 1; mux <= 20_000; mux++) {
            byte[] key = new byte[16];
            key[0] = (byte) mux;
            key[1] = (byte) (mux >> 8);
            sb.append(codec.encodeFrameText(new ConnectionRecord(mux, Role.LEFT, 128, salt, key, 64, 0, "0.0.0.0",
                    4444))).append('\n');
        }
        Files.writeString(table, sb, StandardCharsets.ISO_8859_1);
        List<AutoCloseable> started = new ArrayList<>();
        try (Netns ns = Netns.create("O")) {
            ns.ip("link", "set", "lo", "up");
            ManagedProcess ctl = ManagedProcess.start("controld", ns.wrap(List.of(
                    ItEnv.home().resolve("bin/janytun-controld").toString(), "-D", "-L", "stdout:4", "-f",
                    table.toString(), "-X", "127.0.0.1:4599")), logs.resolve("controld.log"),
                    Map.of("JANYTUN_JAVA", ItEnv.java()));
            started.add(ctl);
            ctl.awaitOutput(java.util.regex.Pattern.compile("janytun-controld started"), Duration.ofSeconds(60));
            List<String> srv = new ArrayList<>(Kind.JANYTUN.launcher());
            srv.addAll(List.of("-X", "127.0.0.1:4599", "-p", "4598", "-d", "tunoom", "-t", "tun"));
            ManagedProcess s = ManagedProcess.start("server", ns.wrap(srv), logs.resolve("server.log"),
                    Map.of("JANYTUN_JAVA", ItEnv.java(), "JANYTUN_JVM_OPTS", "-Xmx16m -Xmn2m"));
            started.add(s);
            int status = s.awaitExit(Duration.ofSeconds(60));
            assertEquals(3, status, "the JVM's status for an OutOfMemoryError\n" + s.tail(20));
            assertTrue(s.output().contains("Terminating due to java.lang.OutOfMemoryError"), s.tail(20));
        } finally {
            for (AutoCloseable c : started.reversed()) {
                c.close();
            }
        }
    }
}
