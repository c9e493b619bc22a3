package org.janytun.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short commands to completion, always with a time bound; output (stdout and stderr merged) is captured. */
public final class Exec {
    /** Default bound for housekeeping commands (ip, ss, sysctl). */
    public static final Duration SHORT = Duration.ofSeconds(10);

    private Exec() {}

    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        public String describe() {
            return String.join(" ", command) + " -> exit " + exitCode + (output.isBlank() ? "" : ":\n" + output.strip());
        }
    }

    public static Result run(Duration timeout, String... command) {
        return run(timeout, List.of(command));
    }

    public static Result run(Duration timeout, List<String> command) {
        Path out;
        try {
            out = Files.createTempFile("janytun-it-", ".out");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process p = null;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            Reaper.track(p.toHandle());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                Reaper.kill(p.toHandle(), 500);
                throw new AssertionError("command did not finish within " + timeout.toSeconds() + " s: "
                        + String.join(" ", command) + "\n" + read(out));
            }
            return new Result(List.copyOf(command), p.exitValue(), read(out));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        } finally {
            if (p != null) {
                if (p.isAlive()) {
                    Reaper.kill(p.toHandle(), 0);
                }
                Reaper.untrack(p.toHandle());
            }
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // temp file
            }
        }
    }

    /** Runs the command and fails the test when it exits non-zero; returns its output. */
    public static String check(String... command) {
        return check(SHORT, List.of(command));
    }

    public static String check(Duration timeout, List<String> command) {
        Result r = run(timeout, command);
        if (!r.ok()) {
            throw new AssertionError("command failed: " + r.describe());
        }
        return r.output();
    }

    static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<cannot read " + file + ": " + e.getMessage() + ">";
        }
    }
}
