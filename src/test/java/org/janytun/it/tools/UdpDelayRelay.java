package org.janytun.it.tools;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A UDP relay that delays every datagram, both ways, by a fixed time: a link with latency where the kernel has no
 * {@code netem}.
 *
 * <pre>
 *   UdpDelayRelay &lt;bindaddr&gt; &lt;port&gt; &lt;upstreamaddr&gt; &lt;upstreamport&gt; &lt;delayMillis&gt; &lt;maxSeconds&gt;
 * </pre>
 * Datagrams from the upstream endpoint go to the last other sender (the "client"), datagrams from anyone else go
 * upstream, each {@code delayMillis} after it arrived, in arrival order. Prints "ready" once bound; exits after
 * maxSeconds at the latest.
 */
public final class UdpDelayRelay {
    private record Due(long at, byte[] data, SocketAddress to) {}

    private UdpDelayRelay() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: UdpDelayRelay <bindaddr> <port> <upstreamaddr> <upstreamport> <delayMillis>"
                    + " <maxSeconds>");
            System.exit(2);
        }
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        InetSocketAddress upstream = new InetSocketAddress(InetAddress.getByName(args[2]), Integer.parseInt(args[3]));
        long delay = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[4]));
        long deadline = System.nanoTime() + Long.parseLong(args[5]) * 1_000_000_000L;
        LinkedBlockingQueue<Due> queue = new LinkedBlockingQueue<>(100_000);
        try (DatagramSocket sock = new DatagramSocket(bind)) {
            sock.setSoTimeout(200);
            Thread sender = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        Due d = queue.take();
                        long wait;
                        while ((wait = d.at - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait); // may return early: look again
                        }
                        sock.send(new DatagramPacket(d.data, d.data.length, d.to));
                    }
                } catch (Exception e) {
                    // closing
                }
            });
            System.out.println("ready " + sock.getLocalSocketAddress());
            System.out.flush();
            byte[] buf = new byte[65535];
            SocketAddress client = null;
            while (System.nanoTime() < deadline) {
                DatagramPacket p = Relays.receive(sock, buf);
                if (p == null) {
                    continue;
                }
                SocketAddress src = p.getSocketAddress();
                SocketAddress to;
                if (src.equals(upstream)) {
                    to = client;
                } else {
                    client = src;
                    to = upstream;
                }
                if (to != null) {
                    queue.offer(new Due(System.nanoTime() + delay,
                            Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()), to));
                }
            }
            sender.interrupt();
        }
        System.exit(0);
    }
}
