package org.janytun.it.tools;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * Tries to connect to a Unix socket and prints {@code connected} or {@code refused: <reason>}; exit status 0 when
 * connected, 1 otherwise. Run as another user to check a socket's permissions.
 */
public final class UnixConnect {
    private UnixConnect() {}

    public static void main(String[] args) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
            System.out.println("connected");
            System.exit(0);
        } catch (IOException e) {
            System.out.println("refused: " + e.getMessage());
            System.exit(1);
        }
    }
}
