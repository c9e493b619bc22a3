package org.janytun.transport;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.janytun.address.AddressFamily;
import org.janytun.address.InetText;

/**
 * The UDP socket SATP datagrams travel on (SPEC §2), bound as {@code -i}/{@code -p}/{@code -4}/{@code -6} say.
 * Without {@code -i} one dual-stack socket on {@code [::]:port} serves IPv4 and IPv6 (the references open one socket
 * per family; the effect is the same), falling back to {@code 0.0.0.0:port} where the kernel has no IPv6. With
 * {@code -i} it is bound to that address. {@link #open} puts the best {@link Transport} the kernel offers on it.
 */
public final class UdpSocket {
    private UdpSocket() {
    }

    /**
     * The transport for {@code -i bindHost -p port} (bindHost may be null) and {@code -4}/{@code -6}: batched
     * (recvmmsg/sendmmsg) where the kernel allows, else the JDK's channel one datagram at a time.
     *
     * @throws IOException naming the address when binding fails
     */
    public static Transport open(String bindHost, int port, AddressFamily family) throws IOException {
        return open(List.of(new LinkAddress(bindHost, port)), family);
    }

    /**
     * A transport with one link per address, in that order (RAIL); batched where the kernel allows it for every
     * socket, else the JDK's channels.
     *
     * @throws IOException naming the address when binding one of them fails (those bound are closed again)
     */
    public static Transport open(List<LinkAddress> links, AddressFamily family) throws IOException {
        List<DatagramChannel> channels = new ArrayList<>();
        try {
            for (LinkAddress l : links) {
                channels.add(bind(l.host(), l.port(), family));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(channels);
            throw e;
        }
        List<BatchSocket> batch = new ArrayList<>();
        for (DatagramChannel c : channels) {
            BatchSocket b = BatchSocket.attach(c);
            if (b == null) {
                batch.forEach(BatchSocket::detach); // all on the channels, then: none may coalesce
                return new ChannelTransport(channels);
            }
            batch.add(b);
        }
        return new MmsgTransport(batch);
    }

    /** The bound channel alone (for tests and tools that want the JDK's view). */
    static DatagramChannel bind(String bindHost, int port, AddressFamily family) throws IOException {
        if (bindHost != null) {
            InetAddress a = family.resolve(bindHost);
            return bind(a instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6,
                    new InetSocketAddress(a, port));
        }
        if (family == AddressFamily.IPV4) {
            return bind(StandardProtocolFamily.INET, new InetSocketAddress("0.0.0.0", port));
        }
        try {
            return bind(StandardProtocolFamily.INET6, new InetSocketAddress("::", port));
        } catch (UnsupportedOperationException noIpv6) {
            // a kernel without IPv6: only then fall back; any other error (port in use) is the answer
            if (family == AddressFamily.IPV6) {
                throw new IOException("IPv6 only, but this system has no IPv6", noIpv6);
            }
            return bind(StandardProtocolFamily.INET, new InetSocketAddress("0.0.0.0", port));
        }
    }

    private static DatagramChannel bind(ProtocolFamily pf, InetSocketAddress local) throws IOException {
        DatagramChannel c = DatagramChannel.open(pf);
        try {
            c.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            c.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            c.bind(local);
            return c;
        } catch (IOException e) {
            c.close();
            throw new IOException("cannot bind UDP " + InetText.format(local) + ": " + e.getMessage(), e);
        }
    }

    /** The channel's local address, or null once it is closed. */
    static InetSocketAddress localAddress(DatagramChannel c) {
        try {
            return (InetSocketAddress) c.getLocalAddress();
        } catch (IOException closed) {
            return null;
        }
    }

    /** The local addresses of the channels that are still open, in their order: a transport's links. */
    static List<InetSocketAddress> localAddresses(List<DatagramChannel> channels) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (DatagramChannel c : channels) {
            InetSocketAddress a = localAddress(c);
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    /** Closes every channel, quietly: whoever closes a transport has nothing more to do with a failure. */
    static void closeAll(List<DatagramChannel> channels) {
        for (DatagramChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing: nothing more to do
            }
        }
    }
}
