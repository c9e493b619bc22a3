package org.janytun.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.janytun.address.HostPort;

/**
 * janytun's own options for operating a running daemon, beyond anytun's command line.
 *
 * @param stateDir     {@code --state-dir}: where the sequence lease is kept; empty: {@code /var/lib/janytun/<dev>}
 * @param allowSeqWrap {@code --allow-seq-wrap}: let the 32-bit sequence counter wrap to 0 (repeating keystream)
 *                     instead of stopping to send until the key is rotated
 * @param controlSocket {@code --control-socket}: the socket janytun-ctl talks to; empty:
 *                     {@code /run/janytun/<dev>.ctl}
 * @param metrics      {@code --metrics [ADDR:]PORT}: where to serve Prometheus metrics (the address defaults to
 *                     127.0.0.1); empty: no metrics endpoint
 * @param mtu          {@code --mtu}: the MTU {@code -n} gives the device
 * @param keepaliveSeconds {@code --keepalive}: send a keepalive to a peer that has been sent nothing for this
 *                     long; 0 for none
 * @param capacity     {@code --capacity}: the most connections a served or synced table may hold; bin/launch sizes
 *                     the heap by it
 */
public record OperatorSettings(Optional<String> stateDir, boolean allowSeqWrap, Optional<String> controlSocket,
                               Optional<HostPort> metrics, int mtu, int keepaliveSeconds, int capacity) {
    /** The longest {@code --keepalive}. */
    public static final int MAX_KEEPALIVE_SECONDS = 3600;

    /** The device MTU {@code -n} sets without {@code --mtu}: the references' 1400. */
    public static final int DEFAULT_MTU = 1400;

    /** Without {@code --capacity}: every mux there is (the mux is 16 bits). bin/launch has the same default. */
    public static final int DEFAULT_CAPACITY = 1 << 16;

    /** Compatibility with callers that name neither a keepalive nor a capacity: none and the default. */
    public OperatorSettings(Optional<String> stateDir, boolean allowSeqWrap, Optional<String> controlSocket,
                            Optional<HostPort> metrics, int mtu) {
        this(stateDir, allowSeqWrap, controlSocket, metrics, mtu, 0, DEFAULT_CAPACITY);
    }

    /** Where the control sockets are by default. */
    public static final String SOCKET_DIR = "/run/janytun";

    /** Parent of the default state directories. */
    public static final String STATE_ROOT = "/var/lib/janytun";

    public OperatorSettings {
        Objects.requireNonNull(stateDir);
        Objects.requireNonNull(controlSocket);
        Objects.requireNonNull(metrics);
    }

    /**
     * The control socket of the tunnel on device {@code device} in the network namespace named {@code netns} (empty:
     * the host's): {@code /run/janytun/<dev>.ctl}, or {@code /run/janytun/netns/<name>/<dev>.ctl}, so that tunnels
     * with the same device name in two namespaces do not meet.
     */
    public Path controlSocketFor(String device, Optional<String> netns) {
        return Path.of(controlSocket.orElse(socketDir(netns) + "/" + device + ".ctl"));
    }

    /** Where the daemons of namespace {@code netns} (empty: the host's) put their control sockets by default. */
    public static String socketDir(Optional<String> netns) {
        return SOCKET_DIR + netns.map(n -> "/netns/" + n).orElse("");
    }

    /** Nothing given: the defaults. */
    public static OperatorSettings defaults() {
        return new OperatorSettings(Optional.empty(), false, Optional.empty(), Optional.empty(), DEFAULT_MTU, 0, DEFAULT_CAPACITY);
    }

    /**
     * The state directory of the tunnel on device {@code device} (its actual name) in the network namespace named
     * {@code netns} (empty: the host's): {@code /var/lib/janytun/<dev>}, or {@code /var/lib/janytun/netns/<name>/<dev>}.
     */
    public Path stateDirFor(String device, Optional<String> netns) {
        return Path.of(stateDir.orElse(STATE_ROOT + netns.map(n -> "/netns/" + n).orElse("") + "/" + device));
    }

    @Override
    public String toString() {
        return "stateDir=" + stateDir.orElse(STATE_ROOT + "/<dev>") + (allowSeqWrap ? ", allowSeqWrap" : "")
                + ", controlSocket=" + controlSocket.orElse(SOCKET_DIR + "/<dev>.ctl")
                + metrics.map(m -> ", metrics=" + m).orElse("") + ", mtu=" + mtu
                + (keepaliveSeconds > 0 ? ", keepalive=" + keepaliveSeconds + "s" : "") + ", capacity=" + capacity;
    }
}
