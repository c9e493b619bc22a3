package org.janytun.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.janytun.address.AddressFamily;
import org.junit.jupiter.api.Test;

/** recvmmsg/sendmmsg with UDP GSO/GRO over 127.0.0.1: datagrams arrive as sent, in order, without allocation. */
class BatchIoTest {

    /**
     * The batched transport end to end on 127.0.0.1: 40 datagrams per send (one GSO run), received (with GRO, cut
     * back into datagrams by the receiver) in order, intact, with their source; then the same once compiled
     * allocates nothing.
     */
    @Test
    void batchesArriveAsSentAndAllocateNothing() throws Exception {
        try (Transport a = UdpSocket.open("127.0.0.1", 0, AddressFamily.IPV4);
             Transport b = UdpSocket.open("127.0.0.1", 0, AddressFamily.IPV4)) {
            assertTrue(a.describe().startsWith("recvmmsg"), a.describe());
            InetSocketAddress to = b.localAddresses().getFirst();
            InetSocketAddress from = a.localAddresses().getFirst();
            DatagramSender sender = a.newSender(64);
            DatagramReceiver rx = b.newReceiver();
            assertEquals(1, rx.pollFds().length);
            DatagramBatch outBatch = DatagramBatch.forSending(64);
            DatagramBatch inBatch = DatagramBatch.forReceiving(16); // smaller than a burst: the rest stays pending
            byte[][] out = new byte[40][2048];
            int seq = 0;
            for (int burst = 0; burst < 50; burst++) { // correctness: sizes, order, source
                assertEquals(0, send(sender, outBatch, out, to, seq));
                int got = 0;
                while (got < 40) {
                    int m = rx.receive(inBatch, 2000);
                    assertTrue(m > 0, "datagrams lost");
                    for (int k = 0; k < m; k++) {
                        int dl = inBatch.length(k);
                        byte[] in = inBatch.buf(k);
                        assertEquals(got == 39 ? 700 : 1434, dl, "datagram " + got + " of burst " + burst);
                        assertEquals((byte) (seq + got), in[0], "order");
                        assertEquals((byte) (seq + got), in[dl - 1], "contents");
                        assertEquals(from, inBatch.address(k));
                        assertEquals(0, inBatch.link(k));
                        got++;
                    }
                }
                assertFalse(rx.pending());
                seq += 40;
            }
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long best = Long.MAX_VALUE;
            long received = 0;
            long sendBytes = 0;
            long bestSend = Long.MAX_VALUE;
            // allocation: the same calls, once compiled (poll, once per burst, needs ~5,000 calls); on a loaded machine
            // the compiler may take seconds to get there, so the rounds go on until then (bounded by time, not timed)
            long giveUpAt = System.nanoTime() + 30_000_000_000L;
            for (int round = 0; (round < 80 || System.nanoTime() - giveUpAt < 0) && best > 0; round++) {
                sendBytes = 0;
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int burst = 0; burst < 200; burst++) {
                    long s0 = threads.getCurrentThreadAllocatedBytes();
                    send(sender, outBatch, out, to, seq);
                    sendBytes += threads.getCurrentThreadAllocatedBytes() - s0;
                    int got = 0;
                    while (got < 40) {
                        int m = rx.receive(inBatch, 2000);
                        if (m <= 0) {
                            break;
                        }
                        for (int k = 0; k < m; k++) {
                            got += from.equals(inBatch.address(k)) ? 1 : -1000;
                        }
                    }
                    received += got;
                }
                best = Math.min(best, threads.getCurrentThreadAllocatedBytes() - before);
                bestSend = Math.min(bestSend, sendBytes);
            }
            assertEquals(0, best, "bytes allocated by 200 bursts of 40 datagrams once compiled (sending: " + bestSend + ")");
            assertTrue(received > 0);
        }
    }

    /** Sends 39 datagrams of 1434 bytes and a shorter one (one GSO run); returns the failures. */
    private static int send(DatagramSender sender, DatagramBatch batch, byte[][] out, InetSocketAddress to, int seq) {
        batch.clear();
        for (int i = 0; i < 40; i++) {
            int len = i == 39 ? 700 : 1434;
            Arrays.fill(out[i], 0, len, (byte) (seq + i));
            batch.add(out[i], len, to, 0);
        }
        return sender.send(batch);
    }

    /** A datagram sent to an address of the other family fails alone; the rest of the batch goes out. */
    @Test
    void anUnsendableDatagramFailsAloneAndIsCounted() throws Exception {
        try (Transport a = UdpSocket.open("127.0.0.1", 0, AddressFamily.IPV4);
             Transport b = UdpSocket.open("127.0.0.1", 0, AddressFamily.IPV4)) {
            DatagramBatch batch = DatagramBatch.forSending(4);
            byte[] d = {1, 2, 3};
            batch.add(d, 3, b.localAddresses().getFirst(), 0);
            batch.add(d, 3, new InetSocketAddress(java.net.InetAddress.getByName("::1"), 9), 0);
            batch.add(d, 3, b.localAddresses().getFirst(), 0);
            assertEquals(1, a.newSender(4).send(batch));
            DatagramReceiver rx = b.newReceiver();
            DatagramBatch in = DatagramBatch.forReceiving(4);
            int got = 0;
            for (int i = 0; i < 10 && got < 2; i++) {
                got += Math.max(0, rx.receive(in, 500));
            }
            assertEquals(2, got);
        }
    }

    @Test
    void sockaddrRoundTrip() throws Exception {
        var seg = java.lang.foreign.Arena.ofAuto().allocate(SockAddr.SIZE, 8);
        for (String host : new String[] {"10.1.2.3", "fd00::5"}) {
            InetSocketAddress a = new InetSocketAddress(java.net.InetAddress.getByName(host), 4444);
            assertTrue(SockAddr.encode(a, true, seg, 0) > 0);
            assertEquals(a, SockAddr.decode(seg, 0));
        }
        InetSocketAddress v4 = new InetSocketAddress(java.net.InetAddress.getByName("192.0.2.1"), 5);
        assertEquals(16, SockAddr.encode(v4, false, seg, 0));
        assertEquals(v4, SockAddr.decode(seg, 0));
        assertEquals(-1, SockAddr.encode(new InetSocketAddress(java.net.InetAddress.getByName("::1"), 5), false, seg, 0));
        assertArrayEquals(new byte[0], new byte[0]);
    }
}
