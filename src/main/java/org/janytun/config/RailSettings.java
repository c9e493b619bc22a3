package org.janytun.config;

import java.util.List;
import java.util.Optional;

/**
 * RAIL ("Redundant Array of Inexpensive Links", SPEC §13): the links one tunnel sends every datagram on. Empty when
 * RAIL is off: then the tunnel has the one link of {@code -i}/{@code -p}/{@code -r}/{@code -o}. uanytun's form
 * ({@code -Y}, {@code -p a:b}, {@code -o c:d}) gives links that differ in the port; {@code --rail-link} gives links
 * with their own local address (another uplink) and remote.
 *
 * @param links  the links in order: link i is the transport's socket i
 * @param spread {@code --rail-spread}: each datagram on one link in turn instead of on every link
 */
public record RailSettings(List<Link> links, boolean spread) {
    /**
     * One link: where its socket is bound and where it sends.
     *
     * @param localHost  the local address (empty: {@code -i}, or every address)
     * @param localPort  the local port
     * @param remoteHost the remote host (empty: {@code -r}; with neither, the endpoint is learned)
     * @param remotePort the remote port, 0 when none is given (the endpoint is then learned)
     */
    public record Link(Optional<String> localHost, int localPort, Optional<String> remoteHost, int remotePort) {
        @Override
        public String toString() {
            return localHost.orElse("*") + ":" + localPort + " -> "
                    + (remotePort == 0 ? "(learned)" : remoteHost.orElse("-r") + ":" + remotePort);
        }
    }

    public RailSettings {
        links = List.copyOf(links);
    }

    public static RailSettings off() {
        return new RailSettings(List.of(), false);
    }

    public boolean enabled() {
        return !links.isEmpty();
    }
}
