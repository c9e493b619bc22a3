package org.janytun.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Which program runs a tunnel end. All take the anytun(8) command line. */
public enum Kind {
    /** Debian's uanytun 0.3.7 (C). */
    UANYTUN("uanytun"),
    /** Debian's anytun 0.3.8 (C++). */
    ANYTUN("anytun"),
    /** This project's daemon, {@code <janytun.home>/bin/janytun}. */
    JANYTUN("janytun"),
    /** uanytun's development branch with RAIL, {@code ../shared/peers/uanytun-rail} beside the repository. */
    UANYTUN_RAIL("uanytun-rail");

    private final String label;

    Kind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean isReference() {
        return this != JANYTUN;
    }

    /**
     * The command prefix: program, foreground ({@code -D}) and log to stdout at debug level. The reference binaries
     * run under {@code stdbuf -oL} because uanytun block-buffers stdout when it is not a terminal (and loses the
     * buffer when killed). Fails clearly when the program is missing.
     */
    public List<String> launcher() {
        List<String> cmd = new ArrayList<>();
        switch (this) {
            case UANYTUN, ANYTUN -> {
                cmd.add(ItEnv.requireBinary("stdbuf", "coreutils"));
                cmd.add("-oL");
                cmd.add("-eL");
                cmd.add(ItEnv.requireBinary(label, label));
            }
            case UANYTUN_RAIL -> {
                cmd.add(ItEnv.requireBinary("stdbuf", "coreutils"));
                cmd.add("-oL");
                cmd.add("-eL");
                cmd.add(uanytunRail().toString());
            }
            case JANYTUN -> cmd.add(janytunLauncher().toString());
        }
        cmd.addAll(List.of("-D", "-L", "stdout:5"));
        return cmd;
    }

    /** Extra environment for the process: bin/janytun runs on the same JDK as the test. */
    public Map<String, String> environment() {
        if (this != JANYTUN) {
            return Map.of();
        }
        Path java = Path.of(ItEnv.java());
        return Map.of("JANYTUN_JAVA", java.toString());
    }

    /** Pattern of the log line a receiver writes when its replay window drops a packet, or null if unknown. */
    public java.util.regex.Pattern replayLogLine() {
        return switch (this) {
            case UANYTUN, UANYTUN_RAIL -> java.util.regex.Pattern.compile("replay attack");
            case ANYTUN -> java.util.regex.Pattern.compile("Replay attack");
            case JANYTUN -> null;
        };
    }

    private static final java.util.regex.Pattern JANYTUN_REPLAY_SUMMARY = java.util.regex.Pattern.compile(
            "dropped (\\d+) packets?: replayed or too old for the sequence window");

    /**
     * Packets this program's log says its replay window dropped: one line per packet for anytun ("Replay attack
     * from ... seq: ... sid: ...") and uanytun ("detected replay attack, discarding packet"), the sum of the
     * summaries for janytun ("dropped N packets: replayed or too old for the sequence window (last 10 s)", written
     * every 10 s and at shutdown, so a running janytun's count can lag by up to 10 s).
     */
    public long replayDrops(String output) {
        if (this == JANYTUN) {
            long sum = 0;
            java.util.regex.Matcher m = JANYTUN_REPLAY_SUMMARY.matcher(output);
            while (m.find()) {
                sum += Long.parseLong(m.group(1));
            }
            return sum;
        }
        java.util.regex.Pattern line = replayLogLine();
        return output.lines().filter(l -> line.matcher(l).find()).count();
    }

    /**
     * Pattern of the log line a receiver writes when an authenticated packet from a new address moves its remote
     * endpoint, or null if unknown.
     */
    public java.util.regex.Pattern remoteChangedLogLine() {
        return switch (this) {
            case UANYTUN, ANYTUN, JANYTUN, UANYTUN_RAIL -> java.util.regex.Pattern.compile("autodetected remote host");
        };
    }

    /** The RAIL build of uanytun in {@code ../shared/peers}; fails (never skips) when it is not there. */
    public static Path uanytunRail() {
        Path p = ItEnv.home().getParent().resolve("shared").resolve("peers").resolve("uanytun-rail");
        if (!Files.isExecutable(p)) {
            throw new AssertionError("the RAIL interop peer " + p + " is missing: ../shared must be beside the"
                    + " repository (see ../shared/peers/README.md)");
        }
        return p;
    }

    /**
     * {@code bin/janytun}, after checking that it exists and that the jar it launches has been built. The system
     * property {@code janytun.launcher} (or environment variable {@code JANYTUN_LAUNCHER}) replaces it with another
     * executable taking the same command line, e.g. to check the harness with a wrapper around a reference daemon.
     */
    public static Path janytunLauncher() {
        String override = System.getProperty("janytun.launcher", System.getenv("JANYTUN_LAUNCHER"));
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (!Files.isExecutable(p)) {
                throw new AssertionError("janytun.launcher " + p + " is not executable");
            }
            return p;
        }
        Path home = ItEnv.home();
        Path bin = home.resolve("bin").resolve("janytun");
        Path jar = home.resolve("target").resolve("janytun.jar");
        if (!Files.isExecutable(bin)) {
            throw new AssertionError("bin/janytun not found or not executable: " + bin);
        }
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("bin/janytun not built: " + jar + " is missing (run bin/setup or mvn package)");
        }
        return bin;
    }

    @Override
    public String toString() {
        return label;
    }
}
