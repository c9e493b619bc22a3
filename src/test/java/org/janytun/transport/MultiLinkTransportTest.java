package org.janytun.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.janytun.address.AddressFamily;
import org.junit.jupiter.api.Test;

/** RAIL's transport: several sockets behind one receiver and one sender, each datagram on its own link. */
class MultiLinkTransportTest {
    private static List<LinkAddress> loopback(int n) {
        List<LinkAddress> links = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            links.add(new LinkAddress("127.0.0.1", 0));
        }
        return links;
    }

    @Test
    void eachDatagramLeavesAndArrivesOnItsLinkInOrder() throws Exception {
        try (Transport a = UdpSocket.open(loopback(3), AddressFamily.IPV4);
             Transport b = UdpSocket.open(loopback(3), AddressFamily.IPV4)) {
            assertEquals(3, a.localAddresses().size());
            assertTrue(a.describe().endsWith("3 links"), a.describe());
            DatagramReceiver rx = b.newReceiver();
            assertEquals(3, rx.pollFds().length);
            DatagramBatch out = DatagramBatch.forSending(8); // smaller than what is sent: the sender splits
            DatagramSender sender = a.newSender(8);
            int n = 20;
            int failed = 0;
            for (int i = 0; i < n; i++) {
                for (int link = 0; link < 3; link++) {
                    if (out.full()) {
                        failed += sender.send(out);
                        out.clear();
                    }
                    out.add(new byte[] {(byte) i, (byte) link}, 2, b.localAddresses().get(link), link);
                }
            }
            failed += sender.send(out);
            assertEquals(0, failed);
            int[] next = new int[3];
            DatagramBatch in = DatagramBatch.forReceiving(16);
            int got = 0;
            for (int tries = 0; tries < 50 && got < 3 * n; tries++) {
                int m = rx.receive(in, 500);
                for (int k = 0; k < m; k++, got++) {
                    int link = in.link(k);
                    assertEquals(link, in.buf(k)[1], "arrived on the link it was sent to");
                    assertEquals(next[link]++, in.buf(k)[0], "in order on link " + link);
                    assertEquals(a.localAddresses().get(link), in.address(k), "from the same link of the sender");
                }
            }
            assertEquals(3 * n, got);
        }
    }

    @Test
    void aDatagramForALinkThatDoesNotExistFailsAlone() throws Exception {
        try (Transport a = UdpSocket.open(loopback(2), AddressFamily.IPV4);
             Transport b = UdpSocket.open(loopback(2), AddressFamily.IPV4)) {
            DatagramBatch out = DatagramBatch.forSending(4);
            InetSocketAddress to = b.localAddresses().getFirst();
            out.add(new byte[] {1}, 1, to, 0);
            out.add(new byte[] {2}, 1, to, 5);
            out.add(new byte[] {3}, 1, to, 1);
            assertEquals(1, a.newSender(4).send(out));
        }
    }
}
