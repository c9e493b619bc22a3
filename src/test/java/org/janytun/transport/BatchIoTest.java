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

    @Test
    void batchesArriveAsSentAndAllocateNothing() throws Exception {
        try (UdpTransport a = UdpTransport.open("127.0.0.1", 0, AddressFamily.IPV4);
             UdpTransport b = UdpTransport.open("127.0.0.1", 0, AddressFamily.IPV4)) {
            assertFalse(a.batchSockets().isEmpty());
            InetSocketAddress to = (InetSocketAddress) b.sockets().getFirst().getLocalAddress();
            InetSocketAddress from = (InetSocketAddress) a.sockets().getFirst().getLocalAddress();
            BatchSender sender = a.newSender(64);
            BatchSocket socket = b.batchSockets().getFirst();
            BatchReceiver rx = socket.newReceiver(8);
            byte[] out = new byte[2048];
            byte[] in = new byte[2048];
            int seq = 0;
            for (int burst = 0; burst < 50; burst++) { // correctness: sizes, order, source
                send(sender, out, to, seq);
                int got = 0;
                while (got < 40) {
                    int m = rx.receive(2000);
                    assertTrue(m > 0, "datagrams lost");
                    for (int k = 0; k < m; k++) {
                        int length = rx.length(k);
                        int segment = rx.segmentSize(k);
                        for (int pos = 0; pos < length; pos += segment) {
                            int dl = Math.min(segment, length - pos);
                            rx.copy(k, pos, in, 0, dl);
                            assertEquals(got == 39 ? 700 : 1434, dl, "datagram " + got + " of burst " + burst);
                            assertEquals((byte) (seq + got), in[0], "order");
                            assertEquals((byte) (seq + got), in[dl - 1], "contents");
                            got++;
                        }
                        assertEquals(from, rx.source(k));
                    }
                }
                assertEquals(0, sender.takeSendFailures());
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
                    send(sender, out, to, seq);
                    sendBytes += threads.getCurrentThreadAllocatedBytes() - s0;
                    int got = 0;
                    while (got < 40) {
                        int m = rx.receive(2000);
                        if (m <= 0) {
                            break;
                        }
                        for (int k = 0; k < m; k++) {
                            int length = rx.length(k);
                            int segment = rx.segmentSize(k);
                            for (int pos = 0; pos < length; pos += segment) {
                                rx.copy(k, pos, in, 0, Math.min(segment, length - pos));
                                got++;
                            }
                            if (!from.equals(rx.source(k))) {
                                got = -1000;
                            }
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

    private static void send(BatchSender sender, byte[] out, InetSocketAddress to, int seq) {
        for (int i = 0; i < 40; i++) { // 39 datagrams of 1434 bytes and a shorter one: one GSO run
            int len = i == 39 ? 700 : 1434;
            Arrays.fill(out, 0, len, (byte) (seq + i));
            sender.add(out, len, to);
        }
        sender.flush();
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
