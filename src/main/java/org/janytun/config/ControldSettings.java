package org.janytun.config;

import org.janytun.address.HostPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.janytun.log.LogTarget;

/**
 * The checked options of janytun-controld.
 *
 * @param daemonize run in the background (not {@code -D}, not {@code -U})
 * @param file the table ({@code -f})
 * @param bind where to listen ({@code -X}); an empty host means every address
 * @param endMarker end the on-connect dump with a {@code janytun-table-end} frame ({@code --end-marker})
 */
public record ControldSettings(boolean daemonize, Optional<String> username, Optional<String> groupname,
                               Optional<String> chroot, Optional<String> pidFile, List<LogTarget> logTargets,
                               Path file, HostPort bind, boolean endMarker) {
    /** anytun-controld's default {@code -X}. */
    public static final String DEFAULT_BIND = "127.0.0.1:2323";
    public static final int DEFAULT_PORT = 2323;

    public ControldSettings {
        logTargets = List.copyOf(logTargets);
    }
}
