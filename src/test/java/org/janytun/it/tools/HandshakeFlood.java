package org.janytun.it.tools;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Base64;
import java.util.SplittableRandom;
import org.janytun.keyx.Macs;

/**
 * Forged SATP-session initiations, as an outsider who knows the responder's public key can make them: the right
 * type, mux 0xFFFF and length, random contents, and a valid mac1 (so each one passes the cheapest check and has to
 * be stopped by the cookie, the rate limit or the handshake itself), paced to last {@code seconds}.
 *
 * <pre>
 *   HandshakeFlood &lt;bindaddr&gt; &lt;dstaddr&gt; &lt;dstport&gt; &lt;responderPublicKeyBase64&gt; &lt;length&gt;
 *                  &lt;count&gt; &lt;seconds&gt;
 * </pre>
 * Prints "sent N in T ms".
 */
public final class HandshakeFlood {
    private HandshakeFlood() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: HandshakeFlood <bindaddr> <dstaddr> <dstport> <pubkey> <length> <count>"
                    + " <seconds>");
            System.exit(2);
        }
        InetSocketAddress dst = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        byte[] mac1Key = Macs.mac1Key(Base64.getDecoder().decode(args[3]));
        int length = Integer.parseInt(args[4]);
        int count = Integer.parseInt(args[5]);
        long spanNanos = Long.parseLong(args[6]) * 1_000_000_000L;
        SplittableRandom random = new SplittableRandom();
        byte[] d = new byte[length];
        long start = System.nanoTime();
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress(InetAddress.getByName(args[0]), 0));
            for (int i = 0; i < count; i++) {
                random.nextBytes(d);
                d[0] = 0;
                d[1] = 0;
                d[2] = 0;
                d[3] = 1; // type 1: initiation
                d[6] = (byte) 0xFF;
                d[7] = (byte) 0xFF;
                Macs.mac(mac1Key, d, length - 2 * Macs.LENGTH, d, length - 2 * Macs.LENGTH);
                ch.send(ByteBuffer.wrap(d), dst);
                long due = start + spanNanos * (i + 1) / count;
                while (System.nanoTime() < due - 200_000) {
                    Thread.sleep(0, 100_000);
                }
            }
        }
        System.out.println("sent " + count + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        System.exit(0);
    }
}
