package org.janytun.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A background ping stream ({@code ping -D -n -i <interval>}) whose replies carry wall-clock timestamps, so that
 * losses and gaps can be placed in time (e.g. next to a route switch-over). Line-buffered through {@code stdbuf}
 * so replies can be watched while it runs. Bounded by {@code -w}; {@link #stop} ends it early with SIGINT (by
 * PID), which makes ping print its summary.
 */
public final class PingStream implements AutoCloseable {
    private static final Pattern REPLY = Pattern.compile(
            "^\\[(\\d+)\\.(\\d+)\\] \\d+ bytes from [^:]+: icmp_seq=(\\d+) ");
    private static final Pattern STATS = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private final ManagedProcess process;
    private final double intervalSeconds;

    private PingStream(ManagedProcess process, double intervalSeconds) {
        this.process = process;
        this.intervalSeconds = intervalSeconds;
    }

    /** One reply: its ICMP sequence number and when it arrived (epoch milliseconds, fractional). */
    public record Reply(int seq, double atMillis) {}

    /** A request that got no reply, and the estimated time it was sent (between its answered neighbours). */
    public record Loss(int seq, double atMillis) {}

    /** Starts {@code ping -D -n -i interval -W 1 -w maxSeconds dst} in {@code ns}. */
    public static PingStream start(Netns ns, String dst, double intervalSeconds, Duration max, Path log) {
        List<String> argv = List.of(ItEnv.requireBinary("stdbuf", "coreutils"), "-oL",
                ItEnv.requireBinary("ping", "iputils-ping"), "-D", "-n", "-i", Double.toString(intervalSeconds),
                "-W", "1", "-w", Long.toString(max.toSeconds()), dst);
        return new PingStream(ManagedProcess.start("ping stream to " + dst, ns.wrap(argv), log, Map.of()),
                intervalSeconds);
    }

    public ManagedProcess process() {
        return process;
    }

    /** The replies so far, in arrival order (duplicates left out). */
    public List<Reply> replies() {
        List<Reply> out = new ArrayList<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (String line : process.output().lines().toList()) {
            Matcher m = REPLY.matcher(line);
            if (m.find() && !line.contains("DUP!")) {
                int seq = Integer.parseInt(m.group(3));
                if (seen.add(seq)) {
                    double ms = Long.parseLong(m.group(1)) * 1000.0
                            + Double.parseDouble("0." + m.group(2)) * 1000.0;
                    out.add(new Reply(seq, ms));
                }
            }
        }
        return out;
    }

    /** The first reply that arrived after {@code epochMillis}, or null. */
    public Reply firstReplyAfter(double epochMillis) {
        for (Reply r : replies()) {
            if (r.atMillis() > epochMillis) {
                return r;
            }
        }
        return null;
    }

    /** Waits until a reply arrives after {@code epochMillis}; fails with {@code context} when the time is up. */
    public Reply awaitReplyAfter(double epochMillis, Duration timeout, String context) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Reply r = firstReplyAfter(epochMillis);
            if (r != null) {
                return r;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no ping reply within " + timeout.toMillis() + " ms: " + context + "\n"
                        + process.diagnostics(15));
            }
            Sleep.millis(20);
        }
    }

    /** Ends the stream now (SIGINT, so ping prints its summary), bounded; safe if it has already exited. */
    public void stop() {
        if (process.isAlive()) {
            Exec.run(Exec.SHORT, "kill", "-INT", Long.toString(process.pid()));
        }
        process.awaitExit(Duration.ofSeconds(5));
    }

    /** Echo requests sent, from the summary (after {@link #stop}); fails when there is none. */
    public int transmitted() {
        Matcher m = STATS.matcher(process.output());
        if (!m.find()) {
            throw new AssertionError("ping printed no summary\n" + process.diagnostics(10));
        }
        return Integer.parseInt(m.group(1));
    }

    /**
     * The requests that got no reply, each with an estimated send time: interpolated between the nearest answered
     * requests before and after it (or one interval beyond the last answered one).
     */
    public List<Loss> losses() {
        int sent = transmitted();
        TreeMap<Integer, Double> at = new TreeMap<>();
        for (Reply r : replies()) {
            at.put(r.seq(), r.atMillis());
        }
        List<Loss> out = new ArrayList<>();
        for (int seq = 1; seq <= sent; seq++) {
            if (at.containsKey(seq)) {
                continue;
            }
            Map.Entry<Integer, Double> before = at.lowerEntry(seq);
            Map.Entry<Integer, Double> after = at.higherEntry(seq);
            double t;
            if (before != null && after != null) {
                t = before.getValue() + (after.getValue() - before.getValue()) * (seq - before.getKey())
                        / (after.getKey() - before.getKey());
            } else if (before != null) {
                t = before.getValue() + (seq - before.getKey()) * intervalSeconds * 1000;
            } else if (after != null) {
                t = after.getValue() - (after.getKey() - seq) * intervalSeconds * 1000;
            } else {
                t = Double.NaN;
            }
            out.add(new Loss(seq, t));
        }
        return out;
    }

    /** The longest time between two consecutive replies arriving within [fromMillis, toMillis], in ms. */
    public double longestGap(double fromMillis, double toMillis) {
        double prev = Double.NaN;
        double longest = 0;
        for (Reply r : replies()) {
            if (r.atMillis() < fromMillis) {
                prev = r.atMillis();
                continue;
            }
            if (r.atMillis() > toMillis) {
                if (!Double.isNaN(prev)) {
                    longest = Math.max(longest, r.atMillis() - prev);
                }
                break;
            }
            if (!Double.isNaN(prev)) {
                longest = Math.max(longest, r.atMillis() - prev);
            }
            prev = r.atMillis();
        }
        return longest;
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(2));
    }
}
