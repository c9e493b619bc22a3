package org.janytun.it;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network namespace created by the test, with a unique name ({@code jt} + 6 random characters + a tag). Only
 * loopback is up at first; {@link VethLink} connects two of them. close() deletes it; the {@link Reaper} does so
 * at JVM exit if close() was never reached. Processes running inside must be stopped by their owners first.
 */
public final class Netns implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

    private final String name;
    private boolean closed;

    private Netns(String name) {
        this.name = name;
    }

    /** Short random string for unique names ({@code [a-z2-9]}, no look-alikes). */
    public static String randomId(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** Creates {@code jt<random6><tag>} and brings its loopback up. */
    public static Netns create(String tag) {
        String name = "jt" + randomId(6) + tag;
        Reaper.trackNetns(name);
        Exec.check("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (RuntimeException | AssertionError e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** {@code ip netns exec <name> argv...} as a command line. */
    public List<String> wrap(List<String> argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(argv);
        return cmd;
    }

    public Exec.Result run(Duration timeout, String... argv) {
        return Exec.run(timeout, wrap(List.of(argv)));
    }

    /** Runs argv inside the namespace and fails on a non-zero exit; returns the output. */
    public String exec(String... argv) {
        return Exec.check(Exec.SHORT, wrap(List.of(argv)));
    }

    /** {@code ip -n <name> args...}; fails on a non-zero exit. */
    public String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return Exec.check(Exec.SHORT, cmd);
    }

    /** {@code ip -n <name> args...} without failing. */
    public Exec.Result tryIp(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return Exec.run(Exec.SHORT, cmd);
    }

    public void sysctl(String key, String value) {
        exec("sysctl", "-q", "-w", key + "=" + value);
    }

    public boolean linkExists(String dev) {
        return tryIp("link", "show", "dev", dev).ok();
    }

    /** Output of {@code ip -o addr show dev <dev>} (empty if the device does not exist). */
    public String addresses(String dev) {
        Exec.Result r = tryIp("-o", "addr", "show", "dev", dev);
        return r.ok() ? r.output() : "";
    }

    /** Whether {@code dev} exists and is administratively up (UP among its flags). */
    public boolean linkUp(String dev) {
        String link = link(dev);
        return link.contains(",UP") || link.contains("<UP");
    }

    /** Output of {@code ip -o link show dev <dev>} (empty if the device does not exist). */
    public String link(String dev) {
        Exec.Result r = tryIp("-o", "link", "show", "dev", dev);
        return r.ok() ? r.output() : "";
    }

    /** The Ethernet address of a (tap/veth) device. */
    public String mac(String dev) {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(link(dev));
        if (!m.find()) {
            throw new AssertionError("no link/ether address on " + dev + " in " + name + ": " + link(dev));
        }
        return m.group(1);
    }

    /** The MTU of a device, or -1 if it does not exist. */
    public int mtu(String dev) {
        Matcher m = Pattern.compile(" mtu (\\d+)").matcher(link(dev));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** True if some UDP socket in this namespace is bound to local port {@code port} (any address). */
    public boolean udpPortBound(int port) {
        Exec.Result r = run(Exec.SHORT, "ss", "-H", "-u", "-l", "-n", "sport = :" + port);
        return r.ok() && !r.output().isBlank();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Exec.Result r = Exec.run(Exec.SHORT, "ip", "netns", "del", name);
        if (r.ok() || !Exec.run(Exec.SHORT, "ip", "netns", "list").output().contains(name)) {
            Reaper.untrackNetns(name);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
