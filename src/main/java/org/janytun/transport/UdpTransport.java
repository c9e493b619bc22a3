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
 * The UDP sockets SATP datagrams travel on (SPEC §2). Without {@code -i} one dual-stack socket on {@code [::]:port}
 * serves IPv4 and IPv6 (the references open one socket per family; the effect is the same), falling back to
 * {@code 0.0.0.0:port} where the kernel has no IPv6. With {@code -i} one socket is bound to that address.
 */
public final class UdpTransport implements AutoCloseable {
    private final List<DatagramChannel> sockets;
    /** The batch view of each socket, or an empty list when any socket has none (then the JDK path serves all). */
    private final List<BatchSocket> batchSockets;

    private UdpTransport(List<DatagramChannel> sockets) {
        this.sockets = List.copyOf(sockets);
        List<BatchSocket> batch = new ArrayList<>();
        for (DatagramChannel c : sockets) {
            BatchSocket b = BatchSocket.attach(c);
            if (b == null) {
                batch.clear();
                break;
            }
            batch.add(b);
        }
        this.batchSockets = List.copyOf(batch);
    }

    /**
     * Opens the sockets for {@code -i bindHost -p port} (bindHost may be null) and {@code -4}/{@code -6}.
     *
     * @throws IOException naming the address when binding fails
     */
    public static UdpTransport open(String bindHost, int port, AddressFamily family) throws IOException {
        List<DatagramChannel> opened = new ArrayList<>();
        try {
            if (bindHost != null) {
                InetAddress a = family.resolve(bindHost);
                opened.add(bind(a instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6,
                        new InetSocketAddress(a, port)));
            } else if (family == AddressFamily.IPV4) {
                opened.add(bind(StandardProtocolFamily.INET, new InetSocketAddress("0.0.0.0", port)));
            } else {
                DatagramChannel dualStack = null;
                try {
                    dualStack = bind(StandardProtocolFamily.INET6, new InetSocketAddress("::", port));
                } catch (UnsupportedOperationException noIpv6) {
                    // a kernel without IPv6: only then fall back; any other error (port in use) is the answer
                    if (family == AddressFamily.IPV6) {
                        throw new IOException("IPv6 only, but this system has no IPv6", noIpv6);
                    }
                }
                opened.add(dualStack != null ? dualStack
                        : bind(StandardProtocolFamily.INET, new InetSocketAddress("0.0.0.0", port)));
            }
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel c : opened) {
                c.close();
            }
            throw e;
        }
        return new UdpTransport(opened);
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

    public List<DatagramChannel> sockets() {
        return sockets;
    }

    /**
     * The batched (recvmmsg/sendmmsg, UDP GSO/GRO) view of {@link #sockets}, in the same order; empty when batch I/O
     * is not available, and the channels are then used one datagram at a time.
     */
    public List<BatchSocket> batchSockets() {
        return batchSockets;
    }

    /** A sender for one thread, batching up to {@code capacity} datagrams; requires {@link #batchSockets}. */
    public BatchSender newSender(int capacity) {
        if (batchSockets.isEmpty()) {
            throw new IllegalStateException("no batch I/O on these sockets");
        }
        return new BatchSender(this, batchSockets, capacity);
    }

    /** The socket to send to {@code remote} on: one of the remote's family, or the dual-stack one. */
    public DatagramChannel socketFor(InetSocketAddress remote) {
        boolean v4 = remote.getAddress() instanceof Inet4Address;
        for (DatagramChannel c : sockets) {
            try {
                InetSocketAddress local = (InetSocketAddress) c.getLocalAddress();
                boolean localV4 = local.getAddress() instanceof Inet4Address;
                if (localV4 == v4 || (!localV4 && local.getAddress().isAnyLocalAddress())) {
                    return c;
                }
            } catch (IOException closed) {
                // a closed socket sends nothing; try the next
            }
        }
        return sockets.getFirst();
    }

    @Override
    public void close() {
        for (DatagramChannel c : sockets) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing: nothing more to do
            }
        }
    }
}
