package org.janytun.it.tools;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;

/** What the relay tools share. */
final class Relays {
    private Relays() {}

    /** The next datagram into {@code buf}, or null when the socket's timeout passed first. */
    static DatagramPacket receive(DatagramSocket sock, byte[] buf) throws IOException {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            sock.receive(p);
            return p;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
