package org.janytun.it.tools;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sends the bytes of a file as one UDP datagram, {@code count} times, from a chosen local address and port.
 *
 * <pre>
 *   UdpSend &lt;bindaddr&gt; &lt;bindport&gt; &lt;dstaddr&gt; &lt;dstport&gt; &lt;file&gt; &lt;count&gt;
 * </pre>
 */
public final class UdpSend {
    private UdpSend() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: UdpSend <bindaddr> <bindport> <dstaddr> <dstport> <file> <count>");
            System.exit(2);
        }
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        InetSocketAddress dst = new InetSocketAddress(InetAddress.getByName(args[2]), Integer.parseInt(args[3]));
        byte[] data = Files.readAllBytes(Path.of(args[4]));
        int count = Integer.parseInt(args[5]);
        try (DatagramSocket sock = new DatagramSocket(bind)) {
            for (int i = 0; i < count; i++) {
                sock.send(new DatagramPacket(data, data.length, dst));
                Thread.sleep(20);
            }
        }
        System.out.println("sent " + count + " x " + data.length + " bytes from " + bind + " to " + dst);
        System.exit(0);
    }
}
