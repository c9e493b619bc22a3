package org.janytun.control;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.janytun.it.Reaper;

/** Runs the real anytun tools (and our launchers) with a time bound, capturing stdout and stderr apart. */
final class Tools {
    private Tools() {}

    record Result(int exitCode, byte[] stdout, String stderr, boolean timedOut) {
        String out() {
            return new String(stdout, StandardCharsets.ISO_8859_1);
        }
    }

    /** The path of a tool of Debian's anytun package; fails (never skips) when it is missing. */
    static String reference(String name) {
        Path p = Path.of("/usr/bin", name);
        if (!Files.isExecutable(p)) {
            p = Path.of("/usr/sbin", name);
        }
        if (!Files.isExecutable(p)) {
            throw new AssertionError("required program '" + name + "' not found (Debian package: anytun)");
        }
        return p.toString();
    }

    /** bin/<name> of this checkout. */
    static String launcher(String name) {
        Path home = Path.of(System.getProperty("janytun.home", System.getProperty("user.dir"))).toAbsolutePath();
        return home.resolve("bin").resolve(name).toString();
    }

    /**
     * Runs {@code command} with {@code stdin} (may be null: /dev/null), for at most {@code timeout}; a process
     * still running then is killed by its PID and reported as timed out (with what it printed so far).
     */
    static Result run(Duration timeout, byte[] stdin, List<String> command) {
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            out = Files.createTempFile("janytun-tool-", ".out");
            err = Files.createTempFile("janytun-tool-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            p = pb.start();
            Reaper.track(p.toHandle());
            if (stdin != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException closedEarly) {
                    // the tool stopped reading; its exit status tells
                }
            }
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                Reaper.kill(p.toHandle(), 200);
            }
            return new Result(done ? p.exitValue() : -1, Files.readAllBytes(out),
                    Files.readString(err, StandardCharsets.ISO_8859_1), !done);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (p != null) {
                if (p.isAlive()) {
                    Reaper.kill(p.toHandle(), 0);
                }
                Reaper.untrack(p.toHandle());
            }
            for (Path f : new Path[] {out, err}) {
                if (f != null) {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException ignored) {
                        // temp file
                    }
                }
            }
        }
    }

    /** Output of an in-process tool main: {@code status}, stdout bytes, stderr text. */
    interface Main {
        int run(PrintStream out, PrintStream err);
    }

    static Result inProcess(Main main) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8), false);
    }
}
