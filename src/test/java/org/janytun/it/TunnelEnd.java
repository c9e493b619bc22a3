package org.janytun.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One running tunnel end: a {@link Kind} of daemon started inside a {@link Netns} from an {@link EndpointSpec},
 * with its output in a log file. {@link #awaitReady} waits (bounded) until the device exists, the {@code -n}
 * address is on it and the UDP port is bound. close() stops it by PID.
 */
public final class TunnelEnd implements AutoCloseable {
    /** Default bound for a daemon to come up. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

    private final String label;
    private final Kind kind;
    private final Netns ns;
    private final EndpointSpec spec;
    private final ManagedProcess process;

    private TunnelEnd(String label, Kind kind, Netns ns, EndpointSpec spec, ManagedProcess process) {
        this.label = label;
        this.kind = kind;
        this.ns = ns;
        this.spec = spec;
        this.process = process;
    }

    /** Starts the daemon (does not wait; see {@link #awaitReady}). {@code label} names it in messages. */
    public static TunnelEnd start(String label, Kind kind, Netns ns, EndpointSpec spec, Path log) {
        if (spec.devName() == null) {
            throw new IllegalArgumentException("the harness needs an explicit device name (-d)");
        }
        List<String> argv = new ArrayList<>(kind.launcher());
        argv.addAll(spec.toArgs());
        if (kind == Kind.JANYTUN && !argv.contains("--state-dir")) {
            // its own sequence lease: ends in different namespaces may share a device name
            argv.addAll(List.of("--state-dir", stateDir(log, label).toString()));
        }
        if (kind == Kind.JANYTUN && !argv.contains("--control-socket")) {
            argv.addAll(List.of("--control-socket", shortSocketPath(label).toString()));
        }
        ManagedProcess p = ManagedProcess.start(label + " " + kind.label() + " in " + ns.name(), ns.wrap(argv), log,
                kind.environment());
        return new TunnelEnd(label, kind, ns, spec.copy(), p);
    }

    /** A state directory beside {@code log} for the end {@code label}, fresh for each start of a test case. */
    static Path stateDir(Path log, String label) {
        return log.toAbsolutePath().getParent().resolve("state-" + label.replaceAll("[^A-Za-z0-9_-]", "_"));
    }

    /**
     * A control socket path of its own for a janytun end (ends in different namespaces may share a device name,
     * and so the default path), short enough for a Unix socket (107 bytes) wherever the checkout lies.
     */
    static Path shortSocketPath(String label) {
        try {
            return java.nio.file.Files.createTempDirectory("jctl").resolve(label.replaceAll("[^A-Za-z0-9_-]", "_")
                    .substring(0, Math.min(label.length(), 40)) + ".ctl");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until the device, its {@code -n} address and UP flag, and the UDP socket are there; fails if it exits. */
    public TunnelEnd awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String dev = spec.devName();
        String addr = spec.ifconfigAddress();
        int port = spec.effectiveLocalPort();
        String missing = "";
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError(describe() + " exited with status " + process.exitCode()
                        + " before it was ready (device " + dev + ")"
                        + (kind == Kind.JANYTUN ? " - bin/janytun does not run a tunnel daemon yet?" : "")
                        + "\n" + process.diagnostics(40));
            }
            if (!ns.linkExists(dev)) {
                missing = "device " + dev;
            } else if (addr != null && !ns.addresses(dev).contains("inet " + addr + "/")) {
                missing = "address " + spec.ifconfig() + " on " + dev;
            } else if (addr != null && !ns.linkUp(dev)) {
                missing = "UP flag on " + dev + " (-n brings it up after setting the address)";
            } else if (!ns.udpPortBound(port)) {
                missing = "UDP socket on port " + port;
            } else {
                return this;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(describe() + " not ready within " + timeout.toSeconds() + " s: no "
                        + missing + " in namespace " + ns.name() + "\n" + process.diagnostics(40));
            }
            Sleep.millis(50);
        }
    }

    public String label() {
        return label;
    }

    public Kind kind() {
        return kind;
    }

    public Netns netns() {
        return ns;
    }

    public EndpointSpec spec() {
        return spec;
    }

    public ManagedProcess process() {
        return process;
    }

    /** A janytun end's control socket (given on its command line). */
    public Path controlSocket() {
        List<String> cmd = process.command();
        int i = cmd.indexOf("--control-socket");
        if (i < 0) {
            throw new IllegalStateException(describe() + " has no control socket");
        }
        return Path.of(cmd.get(i + 1));
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String describe() {
        return label + " (" + kind.label() + ")";
    }

    /** Fails when the daemon is no longer running. */
    public void assertAlive() {
        if (!process.isAlive()) {
            throw new AssertionError(describe() + " died (status " + process.exitCode() + ")\n"
                    + process.diagnostics(40));
        }
    }

    public String diagnostics(int lines) {
        return process.diagnostics(lines);
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(3));
    }
}
