package org.janytun.it.tools;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * A UDP relay that also records what passes one way: a user-space "capture" of genuine SATP datagrams,
 * so no packet-capture tool is needed.
 *
 * <pre>
 *   UdpRelay &lt;bindaddr&gt; &lt;port&gt; &lt;upstreamaddr&gt; &lt;upstreamport&gt; &lt;capturedir&gt; &lt;maxSeconds&gt;
 * </pre>
 * Datagrams from the upstream endpoint go to the last other sender (the "client"); datagrams from any other
 * sender go upstream, and the first 200 of them are also written to {@code capturedir/NNNN.bin} (atomically, in
 * arrival order). Prints "ready" once bound. Exits after maxSeconds at the latest.
 */
public final class UdpRelay {
    private UdpRelay() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: UdpRelay <bindaddr> <port> <upstreamaddr> <upstreamport> <capturedir> <maxSeconds>");
            System.exit(2);
        }
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        InetSocketAddress upstream = new InetSocketAddress(InetAddress.getByName(args[2]), Integer.parseInt(args[3]));
        Path dir = Path.of(args[4]);
        long deadline = System.nanoTime() + Long.parseLong(args[5]) * 1_000_000_000L;
        Files.createDirectories(dir);
        try (DatagramSocket sock = new DatagramSocket(bind)) {
            sock.setSoTimeout(200);
            System.out.println("ready " + sock.getLocalSocketAddress());
            System.out.flush();
            byte[] buf = new byte[65535];
            SocketAddress client = null;
            int captured = 0;
            long toUpstream = 0;
            long toClient = 0;
            while (System.nanoTime() < deadline) {
                DatagramPacket p = Relays.receive(sock, buf);
                if (p == null) {
                    continue;
                }
                SocketAddress src = p.getSocketAddress();
                if (src.equals(upstream)) {
                    if (client != null) {
                        sock.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), client));
                        toClient++;
                    }
                } else {
                    if (!src.equals(client)) {
                        System.out.println("client " + src);
                        System.out.flush();
                    }
                    client = src;
                    if (captured < 200) {
                        byte[] data = Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
                        Path tmp = dir.resolve(String.format("%04d.tmp", captured));
                        Files.write(tmp, data);
                        Files.move(tmp, dir.resolve(String.format("%04d.bin", captured)),
                                StandardCopyOption.ATOMIC_MOVE);
                        captured++;
                    }
                    sock.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), upstream));
                    toUpstream++;
                }
            }
            System.out.println("done upstream=" + toUpstream + " client=" + toClient);
        }
        System.exit(0);
    }
}
