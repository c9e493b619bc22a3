package org.janytun.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class UdpTransportTest {

    @Test
    void formatsAddressesAsOperatorsWriteThem() throws Exception {
        assertEquals("10.0.0.1:4444", UdpTransport.format(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 4444)));
        assertEquals("[::]:4444", UdpTransport.format(new InetSocketAddress(InetAddress.getByName("::"), 4444)));
        assertEquals("[fd00:1::2]:5", UdpTransport.format(new InetSocketAddress(InetAddress.getByName("fd00:1:0:0:0:0:0:2"), 5)));
        assertEquals("[fd00:0:1::]:5", UdpTransport.format(new InetSocketAddress(InetAddress.getByName("fd00:0:1::"), 5)));
        assertEquals("1:2:3:4:5:6:7:8", UdpTransport.compress("1:2:3:4:5:6:7:8"));
    }

    /** A datagram over loopback through the dual-stack socket, to the IPv4 loopback: what a tunnel does. */
    @Test
    void dualStackSocketCarriesIpv4() throws Exception {
        try (UdpTransport a = UdpTransport.open("127.0.0.1", 0, AddressFamily.ANY);
             UdpTransport b = UdpTransport.open(null, 0, AddressFamily.ANY)) {
            int portB = ((InetSocketAddress) b.sockets().getFirst().getLocalAddress()).getPort();
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), portB);
            a.socketFor(to).send(ByteBuffer.wrap(new byte[] {1, 2, 3}), to);
            ByteBuffer in = ByteBuffer.allocate(16);
            InetSocketAddress from = (InetSocketAddress) b.sockets().getFirst().receive(in);
            assertEquals(3, in.position());
            assertTrue(from.getAddress() instanceof java.net.Inet4Address, "v4-mapped sources come back as IPv4");
        }
    }

    @Test
    void resolveHonoursTheFamily() throws Exception {
        assertTrue(UdpTransport.resolve("127.0.0.1", AddressFamily.IPV4) instanceof java.net.Inet4Address);
        assertTrue(UdpTransport.resolve("::1", AddressFamily.IPV6) instanceof java.net.Inet6Address);
        org.junit.jupiter.api.Assertions.assertThrows(java.net.UnknownHostException.class,
                () -> UdpTransport.resolve("127.0.0.1", AddressFamily.IPV6));
    }
}
