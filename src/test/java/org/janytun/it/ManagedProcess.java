package org.janytun.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A long-running process (daemon or helper tool) whose output goes to a log file. Every wait is bounded; stop()
 * kills it by PID (SIGTERM, then SIGKILL). Registered with the {@link Reaper} while it lives.
 */
public final class ManagedProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, List<String> command, Process process, Path log) {
        this.name = name;
        this.command = command;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} with stdout+stderr to {@code log} (created, parent folders too) and stdin from /dev/null. */
    public static ManagedProcess start(String name, List<String> command, Path log, Map<String, String> env) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, "");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            Reaper.track(p.toHandle());
            return new ManagedProcess(name, List.copyOf(command), p, log);
        } catch (IOException e) {
            throw new AssertionError("cannot start " + name + ": " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public List<String> command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Exit status, or null while it runs. */
    public Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    public String output() {
        return Exec.read(log);
    }

    public String tail(int lines) {
        List<String> all = output().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Diagnostic block: name, pid, status, command line and the tail of the output. */
    public String diagnostics(int lines) {
        Integer code = exitCode();
        return "--- " + name + " (pid " + pid() + ", " + (code == null ? "running" : "exited with status " + code)
                + ", log " + log + ")\n$ " + String.join(" ", command) + "\n" + tail(lines);
    }

    /**
     * Waits until a line of the output matches {@code pattern}; returns the match. Fails when the time is up or the
     * process exits without having printed it.
     */
    public Matcher awaitOutput(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean aliveBefore = isAlive();
            for (String line : output().lines().toList()) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            if (!aliveBefore) {
                throw new AssertionError(name + " exited (status " + exitCode() + ") without printing /" + pattern
                        + "/\n" + diagnostics(30));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not print /" + pattern + "/ within " + timeout.toMillis()
                        + " ms\n" + diagnostics(30));
            }
            Sleep.millis(50);
        }
    }

    /** True if some line of the output matches (no waiting). */
    public boolean printed(Pattern pattern) {
        return output().lines().anyMatch(l -> pattern.matcher(l).find());
    }

    /** Number of output lines that match. */
    public long count(Pattern pattern) {
        return output().lines().filter(l -> pattern.matcher(l).find()).count();
    }

    /** Waits until at least {@code atLeast} output lines match; fails when the time is up. */
    public void awaitCount(Pattern pattern, long atLeast, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count(pattern) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " printed /" + pattern + "/ only " + count(pattern) + " times, expected "
                        + atLeast + ", within " + timeout.toMillis() + " ms\n" + diagnostics(30));
            }
            Sleep.millis(50);
        }
    }

    /** Waits for the process to exit by itself; kills it and fails when the time is up. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                String diag = diagnostics(30);
                stop(Duration.ZERO);
                throw new AssertionError(name + " did not finish within " + timeout.toSeconds() + " s\n" + diag);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(Duration.ZERO);
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
        Reaper.untrack(process.toHandle());
        return process.exitValue();
    }

    /** Stops it by PID: SIGTERM, SIGKILL after {@code grace}. Safe to call more than once. */
    public void stop(Duration grace) {
        Reaper.kill(process.toHandle(), grace.toMillis());
        Reaper.untrack(process.toHandle());
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(3));
    }
}
