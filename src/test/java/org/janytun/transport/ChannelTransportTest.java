package org.janytun.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.janytun.address.AddressFamily;
import org.junit.jupiter.api.Test;

/** The JDK fallback behind the same interface: what the batched transport does, one datagram per call. */
class ChannelTransportTest {

    @Test
    void datagramsArriveInOrderWithTheirSourceAndCloseEndsTheReceiver() throws Exception {
        try (Transport a = new ChannelTransport(java.util.List.of(UdpSocket.bind("127.0.0.1", 0, AddressFamily.IPV4)));
             Transport b = new ChannelTransport(java.util.List.of(UdpSocket.bind("127.0.0.1", 0, AddressFamily.IPV4)))) {
            DatagramReceiver rx = b.newReceiver();
            assertEquals(0, rx.pollFds().length);
            DatagramBatch in = DatagramBatch.forReceiving(8);
            assertEquals(0, rx.receive(in, 20), "nothing there: the timeout");
            DatagramBatch out = DatagramBatch.forSending(8);
            byte[][] data = new byte[5][];
            for (int i = 0; i < 5; i++) {
                data[i] = new byte[100 + i];
                Arrays.fill(data[i], (byte) i);
                out.add(data[i], data[i].length, b.localAddresses().getFirst(), 0);
            }
            assertEquals(0, a.newSender(8).send(out));
            int got = 0;
            for (int tries = 0; tries < 20 && got < 5; tries++) {
                int n = rx.receive(in, 2000);
                for (int k = 0; k < n; k++, got++) {
                    assertArrayEquals(data[got], Arrays.copyOf(in.buf(k), in.length(k)), "datagram " + got);
                    assertEquals(a.localAddresses().getFirst(), in.address(k));
                    assertEquals(0, in.link(k));
                }
            }
            assertEquals(5, got);
            b.close();
            assertEquals(-1, rx.receive(in, 20));
        }
    }
}
