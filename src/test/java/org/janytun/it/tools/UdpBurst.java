package org.janytun.it.tools;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Bursts of UDP datagrams of one flow, and a receiver that checks each one, run inside namespaces by the integration
 * tests. Bursts are what a tunnel end coalesces into one write to its device (USO); the receiver proves that what
 * comes out is every datagram as sent: its length, its bytes, and the order within the flow.
 *
 * <pre>
 *   UdpBurst server &lt;bindaddr&gt; &lt;port&gt; &lt;count&gt; &lt;timeoutSeconds&gt;
 *       prints "listening ..." once bound; receives until it has &lt;count&gt; datagrams, or 2 s after the last
 *       one, or the timeout; prints "RESULT &lt;received&gt; &lt;bad&gt; &lt;outOfOrder&gt;".
 *   UdpBurst client &lt;addr&gt; &lt;port&gt; &lt;count&gt;
 *       sends &lt;count&gt; datagrams in bursts of 64 (5 ms apart); each burst's last datagram is shorter.
 * </pre>
 * Datagram {@code seq} holds seq in its first 4 bytes, then bytes derived from seq; its length follows from seq.
 */
public final class UdpBurst {
    private static final int BURST = 64;

    private UdpBurst() {}

    static int length(int seq) {
        return seq % BURST == BURST - 1 ? 20 : 64;
    }

    static void fill(ByteBuffer b, int seq) {
        b.clear();
        b.putInt(seq);
        for (int i = 4; i < length(seq); i++) {
            b.put((byte) (seq * 31 + i));
        }
        b.flip();
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 5 && args[0].equals("server")) {
            server(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])),
                    Integer.parseInt(args[3]), Long.parseLong(args[4]));
        } else if (args.length == 4 && args[0].equals("client")) {
            client(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])),
                    Integer.parseInt(args[3]));
        } else {
            System.err.println("usage: UdpBurst server <bindaddr> <port> <count> <timeoutSeconds>"
                    + " | client <addr> <port> <count>");
            System.exit(2);
        }
        System.exit(0);
    }

    private static void server(InetSocketAddress bind, int count, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        int received = 0;
        int bad = 0;
        int outOfOrder = 0;
        int last = -1;
        try (DatagramSocket socket = new DatagramSocket(bind)) {
            socket.setSoTimeout(200);
            System.out.println("listening on " + bind);
            System.out.flush();
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            ByteBuffer expected = ByteBuffer.allocate(2048);
            long lastArrival = 0;
            while (received < count && System.nanoTime() < deadline
                    && (lastArrival == 0 || System.nanoTime() - lastArrival < 2_000_000_000L)) {
                try {
                    p.setLength(buf.length);
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                lastArrival = System.nanoTime();
                received++;
                ByteBuffer in = ByteBuffer.wrap(buf, 0, p.getLength());
                int seq = in.remaining() >= 4 ? in.getInt(0) : -1;
                if (seq < 0) {
                    bad++;
                    continue;
                }
                fill(expected, seq);
                if (!in.equals(expected)) {
                    bad++;
                } else if (seq <= last) {
                    outOfOrder++;
                } else {
                    last = seq;
                }
            }
        }
        System.out.println("RESULT " + received + " " + bad + " " + outOfOrder);
    }

    private static void client(InetSocketAddress dst, int count) throws Exception {
        try (DatagramChannel ch = DatagramChannel.open()) { // not connected: an ICMP error does not end the run
            ByteBuffer out = ByteBuffer.allocate(2048);
            for (int seq = 0; seq < count; seq++) {
                fill(out, seq);
                ch.send(out, dst);
                if (seq % BURST == BURST - 1) {
                    Thread.sleep(5);
                }
            }
        }
        System.out.println("sent " + count);
    }
}
