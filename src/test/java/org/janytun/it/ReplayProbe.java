package org.janytun.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.janytun.it.tools.UdpRelay;
import org.janytun.it.tools.UdpSend;

/**
 * Captures genuine SATP datagrams and replays one from a third address, without packet-capture tools:
 * a {@link UdpRelay} sits between the sending end and the receiver under test (the sender's {@code -r} points at
 * the relay, the receiver's {@code -r} at the relay's outer address), forwards both ways and records what the
 * sender sends. {@link #replay} then sends a recorded datagram, which the receiver has already accepted, from
 * another namespace.
 */
public final class ReplayProbe implements AutoCloseable {
    private final ManagedProcess relay;
    private final Path captureDir;
    private final Path logDir;

    private ReplayProbe(ManagedProcess relay, Path captureDir, Path logDir) {
        this.relay = relay;
        this.captureDir = captureDir;
        this.logDir = logDir;
    }

    /** Starts the relay in {@code ns} on {@code 0.0.0.0:port}, forwarding to {@code upstream:upstreamPort}. */
    public static ReplayProbe start(Netns ns, int port, String upstream, int upstreamPort, Path logDir) {
        Path dir = logDir.resolve("captured");
        ManagedProcess relay = ManagedProcess.start("udp relay in " + ns.name(),
                ns.wrap(JavaTool.command(UdpRelay.class, "0.0.0.0", Integer.toString(port), upstream,
                        Integer.toString(upstreamPort), dir.toString(), "300")),
                logDir.resolve("relay.log"), Map.of());
        try {
            relay.awaitOutput(Pattern.compile("^ready"), Duration.ofSeconds(20));
        } catch (AssertionError e) {
            relay.close();
            throw e;
        }
        return new ReplayProbe(relay, dir, logDir);
    }

    /** The most recent datagram the relay recorded from the sending end; fails if there is none. */
    public Path latestCapture() {
        if (!Files.isDirectory(captureDir)) {
            throw new AssertionError("the relay captured nothing (" + captureDir + " missing)\n" + relay.diagnostics(20));
        }
        try (Stream<Path> s = Files.list(captureDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".bin")).max(Comparator.naturalOrder())
                    .orElseThrow(() -> new AssertionError("the relay captured nothing\n" + relay.diagnostics(20)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code datagram} {@code times} times from {@code bindAddr:bindPort} in {@code from} to {@code dst:dstPort}. */
    public void replay(Netns from, String bindAddr, int bindPort, String dst, int dstPort, Path datagram, int times) {
        try (ManagedProcess send = ManagedProcess.start("udp replay from " + from.name(),
                from.wrap(JavaTool.command(UdpSend.class, bindAddr, Integer.toString(bindPort), dst,
                        Integer.toString(dstPort), datagram.toString(), Integer.toString(times))),
                logDir.resolve("replay.log"), Map.of())) {
            int status = send.awaitExit(Duration.ofSeconds(20));
            if (status != 0) {
                throw new AssertionError("replay sender failed\n" + send.diagnostics(10));
            }
        }
    }

    public String diagnostics() {
        return relay.diagnostics(10);
    }

    @Override
    public void close() {
        relay.close();
    }
}
