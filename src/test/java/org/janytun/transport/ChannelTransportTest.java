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
        try (Transport a = new ChannelTransport(UdpSocket.bind("127.0.0.1", 0, AddressFamily.IPV4));
             Transport b = new ChannelTransport(UdpSocket.bind("127.0.0.1", 0, AddressFamily.IPV4))) {
            DatagramReceiver rx = b.newReceiver();
            assertEquals(-1, rx.pollFd());
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
            for (int i = 0; i < 5; i++) {
                assertEquals(1, rx.receive(in, 2000));
                assertArrayEquals(data[i], Arrays.copyOf(in.buf(0), in.length(0)));
                assertEquals(a.localAddresses().getFirst(), in.address(0));
            }
            b.close();
            assertEquals(-1, rx.receive(in, 20));
        }
    }
}
