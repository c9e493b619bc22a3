package org.janytun.transport;

/**
 * Where one link's socket is bound: {@code host} (null: every address, dual-stack where the kernel has IPv6) and
 * {@code port}. A transport has one link per socket; RAIL gives it several.
 */
public record LinkAddress(String host, int port) {
    public LinkAddress {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
    }
}
