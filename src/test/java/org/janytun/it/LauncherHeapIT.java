package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/launch caps the heap by the connections the daemon may hold (48 MiB + 3 KiB a connection of --capacity), and
 * takes --capacity from the --config file as well as from the command line (where the command line's wins, as in
 * janytun itself). Read from the real JVM's final flags.
 */
class LauncherHeapIT {
    @TempDir
    Path tmp;

    private static long heapMib(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ItEnv.home().resolve("bin/janytun").toString()));
        cmd.addAll(List.of(args));
        cmd.add("--version");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JANYTUN_JAVA", ItEnv.java());
        pb.environment().put("JANYTUN_JVM_OPTS", "-XX:+PrintFlagsFinal");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Matcher m = Pattern.compile("\\bMaxHeapSize\\s*=\\s*(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1)) >> 20;
    }

    /** -Xmx{@code mib}m as the JVM (the serial collector) rounds it: up to 2 MiB. */
    private static long cap(long mib) {
        return (mib + 1) / 2 * 2;
    }

    @Test
    void theHeapFollowsTheCapacityFromTheCommandLineOrTheConfigFile() throws Exception {
        Path config = tmp.resolve("config");
        Files.writeString(config, "# a server for few clients\nport 4444\ncapacity 1000   # a comment\n");
        Path quoted = tmp.resolve("quoted");
        Files.writeString(quoted, "  capacity \"20000\"\n");
        assertEquals(cap(48 + 192), heapMib(), "the default: every mux");
        assertEquals(cap(48 + 3), heapMib("--capacity", "1000"));
        assertEquals(cap(48 + 3), heapMib("--config", config.toString()));
        assertEquals(cap(48 + 59), heapMib("--config=" + quoted));
        assertEquals(cap(48 + 6), heapMib("--config", config.toString(), "--capacity=2000"), "the command line wins");
    }
}
