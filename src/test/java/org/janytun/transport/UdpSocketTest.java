package org.janytun.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.janytun.address.AddressFamily;
import org.junit.jupiter.api.Test;

class UdpSocketTest {

    /** A datagram over loopback through the dual-stack socket, to the IPv4 loopback: what a tunnel does. */
    @Test
    void dualStackSocketCarriesIpv4() throws Exception {
        try (DatagramChannel a = UdpSocket.bind("127.0.0.1", 0, AddressFamily.ANY);
             DatagramChannel b = UdpSocket.bind(null, 0, AddressFamily.ANY)) {
            int portB = UdpSocket.localAddress(b).getPort();
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), portB);
            a.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), to);
            ByteBuffer in = ByteBuffer.allocate(16);
            InetSocketAddress from = (InetSocketAddress) b.receive(in);
            assertEquals(3, in.position());
            assertTrue(from.getAddress() instanceof java.net.Inet4Address, "v4-mapped sources come back as IPv4");
        }
    }
}
