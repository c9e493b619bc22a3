package org.janytun.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.janytun.address.HostPort;

/**
 * Cluster sync (anytun's {@code -S}, {@code -I}, {@code -M}, and janytun's extensions).
 *
 * @param port           {@code -S}: TCP port to listen on for cluster peers; empty: no listener
 * @param bindAddress    {@code -I}: address (or host name) the listener binds; empty: every address
 * @param peers          {@code -M}: the nodes to take state from (default port 2323)
 * @param archiveVersion {@code --sync-archive-version}: the Boost archive version written (18: Boost 1.74,
 *                       Debian bookworm's anytun); any version is read
 * @param secretFile     {@code --sync-secret-file}: the cluster secret; given, every sync connection is
 *                       authenticated and encrypted (janytun nodes only)
 */
public record SyncSettings(OptionalInt port, Optional<String> bindAddress, List<HostPort> peers, int archiveVersion,
                           Optional<String> secretFile) {
    public static final SyncSettings NONE = new SyncSettings(OptionalInt.empty(), Optional.empty(), List.of(),
            org.janytun.sync.SyncCodec.DEFAULT_ARCHIVE_VERSION, Optional.empty());

    public SyncSettings {
        Objects.requireNonNull(port);
        Objects.requireNonNull(bindAddress);
        peers = List.copyOf(peers);
        Objects.requireNonNull(secretFile);
    }

    /** Whether this node takes part in a cluster at all. */
    public boolean enabled() {
        return port.isPresent() || !peers.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("sync[");
        port.ifPresent(p -> b.append("port=").append(p).append(", "));
        bindAddress.ifPresent(a -> b.append("bind=").append(a).append(", "));
        if (!peers.isEmpty()) {
            b.append("peers=").append(peers).append(", ");
        }
        b.append("archive=").append(archiveVersion);
        secretFile.ifPresent(f -> b.append(", secretFile=").append(f));
        return b.append(']').toString();
    }
}
