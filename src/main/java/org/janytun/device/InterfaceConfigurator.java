package org.janytun.device;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Configures a device with iproute2 ({@code ip}) — anytun's {@code -n addr/prefix} (address, MTU 1400, up) — and runs
 * the post-up script ({@code -x}).
 *
 * <p>Child processes start in the network namespace of the <em>calling thread</em> (the JDK spawns them from it),
 * so a thread that has entered a namespace configures devices there. {@link #inNamespace} runs
 * {@code ip -n <netns>} instead, which works from any thread.
 */
public final class InterfaceConfigurator {
    /** The MTU anytun and uanytun set with {@code -n}. */
    public static final int ANYTUN_MTU = 1400;
    private static final List<String> IP_LOCATIONS = List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip");
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);
    /** How long {@link #runPostUpScript(Path, String)} waits before it kills the script. */
    public static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern DEVICE_NAME = Pattern.compile("[^\\s/:]{1,15}");

    private final String netns;

    private InterfaceConfigurator(String netns) {
        this.netns = netns;
    }

    /** Configures devices in the network namespace of the calling thread. */
    public InterfaceConfigurator() {
        this(null);
    }

    /** Configures devices in the named network namespace (/var/run/netns/NAME) with {@code ip -n NAME}. */
    public static InterfaceConfigurator inNamespace(String netns) {
        if (netns == null || !netns.matches("[\\w.-]{1,64}") || netns.startsWith("-")) {
            throw new IllegalArgumentException("bad network namespace name: " + netns);
        }
        return new InterfaceConfigurator(netns);
    }

    /** {@link #configure(String, String, int)} with MTU 1400, as anytun's {@code -n}. */
    public void configure(String dev, String cidr) throws IOException {
        configure(dev, cidr, ANYTUN_MTU);
    }

    /**
     * {@code ip addr add CIDR dev DEV} then {@code ip link set dev DEV mtu MTU up}. The address is IPv4
     * ({@code a.b.c.d/len}, like anytun) or, as our extension, IPv6 ({@code addr/len}).
     *
     * @throws IllegalArgumentException for a malformed device name or CIDR
     * @throws IOException when {@code ip} is missing, fails (its stderr is in the message) or hangs for 10 s
     */
    public void configure(String dev, String cidr, int mtu) throws IOException {
        if (dev == null || !DEVICE_NAME.matcher(dev).matches() || dev.startsWith("-")) {
            throw new IllegalArgumentException("bad device name: " + dev);
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("bad MTU: " + mtu);
        }
        String address = normalizeCidr(cidr);
        ip("addr", "add", address, "dev", dev);
        ip("link", "set", "dev", dev, "mtu", Integer.toString(mtu), "up");
    }

    /**
     * Checks an {@code address/prefix} and returns it in canonical form. IPv4 needs a dotted quad and a prefix of
     * 0..32; IPv6 a literal and 0..128. No name lookups.
     */
    public static String normalizeCidr(String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash <= 0 || slash == cidr.length() - 1) {
            throw new IllegalArgumentException("expected address/prefix-length, got: " + cidr);
        }
        String addr = cidr.substring(0, slash);
        String len = cidr.substring(slash + 1);
        if (!len.matches("\\d{1,3}")) {
            throw new IllegalArgumentException("bad prefix length in " + cidr);
        }
        int prefix = Integer.parseInt(len);
        InetAddress parsed;
        if (IPV4.matcher(addr).matches()) {
            for (String octet : addr.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("bad IPv4 address in " + cidr);
                }
            }
            parsed = InetAddress.ofLiteral(addr);
        } else if (addr.indexOf(':') >= 0 && IPV6.matcher(addr).matches()) {
            try {
                parsed = InetAddress.ofLiteral(addr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad IPv6 address in " + cidr, e);
            }
        } else {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address: " + cidr);
        }
        int max = parsed instanceof Inet4Address ? 32 : 128;
        if (prefix > max) {
            throw new IllegalArgumentException("prefix length " + prefix + " > " + max + " in " + cidr);
        }
        return parsed.getHostAddress() + "/" + prefix;
    }

    /** The absolute path of iproute2's {@code ip}. */
    public static Path findIp() throws IOException {
        for (String p : IP_LOCATIONS) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        throw new IOException("iproute2's 'ip' command not found (looked in " + String.join(", ", IP_LOCATIONS)
                + "): install iproute2");
    }

    private void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(findIp().toString());
        if (netns != null) {
            cmd.add("-n");
            cmd.add(netns);
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("LC_ALL", "C");
        String shown = String.join(" ", cmd);
        Process p = pb.start();
        try (InputStream err = p.getErrorStream()) {
            if (!p.waitFor(IP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("'" + shown + "' did not finish within " + IP_TIMEOUT.toSeconds() + " s (killed)");
            }
            if (p.exitValue() != 0) {
                String stderr = new String(err.readNBytes(4096), StandardCharsets.UTF_8).strip();
                throw new IOException("'" + shown + "' failed with exit code " + p.exitValue()
                        + (stderr.isEmpty() ? "" : ": " + stderr));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running '" + shown + "'", e);
        }
    }

    /** {@link #runPostUpScript(Path, String, Duration)} with a 30 s limit. */
    public static int runPostUpScript(Path script, String dev) throws IOException {
        return runPostUpScript(script, dev, SCRIPT_TIMEOUT);
    }

    /**
     * Runs the post-up script like anytun's {@code -x}: exec'd directly (it needs a shebang) with
     * {@code argv = [script, dev]}, an empty environment, stdin/stdout/stderr on /dev/null and no other open fds
     * (the JDK closes them); the working directory is inherited. Waits for it.
     *
     * @return the script's exit code, for the caller to log
     * @throws IOException when it cannot be started, or did not exit within {@code timeout} (it is then killed)
     */
    public static int runPostUpScript(Path script, String dev, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(script.toString(), dev)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run post-up script '" + script + "': " + e.getMessage(), e);
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("post-up script '" + script + "' did not exit within " + timeout.toMillis()
                        + " ms (killed)");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for post-up script '" + script + "'", e);
        }
    }
}
