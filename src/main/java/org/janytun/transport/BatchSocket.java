package org.janytun.transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.janytun.os.Libc;

/**
 * Batched I/O on the fd of one bound {@link DatagramChannel}: {@code recvmmsg} with UDP GRO and {@code sendmmsg}
 * with UDP GSO ({@code UDP_SEGMENT}), through FFM, which the JDK does not offer. The channel keeps owning the socket
 * (binding, options, close); this class only finds its fd and probes what the kernel supports.
 *
 * <p>The JDK does not reveal a channel's fd, so {@link #attach} looks for the one UDP socket of this process bound to
 * the channel's local address (getsockname over the open fds). When that is not exactly one socket, or
 * {@code -Djanytun.io=jdk} is set, there is no batch I/O and the {@link ChannelTransport} serves.
 */
final class BatchSocket {
    private final DatagramChannel channel;
    private final int fd;
    private final boolean ipv6;
    private volatile boolean gso;
    private final boolean gro;

    private BatchSocket(DatagramChannel channel, int fd, boolean ipv6, boolean gso, boolean gro) {
        this.channel = channel;
        this.fd = fd;
        this.ipv6 = ipv6;
        this.gso = gso;
        this.gro = gro;
    }

    /** The batch view of {@code channel}'s socket, or null when batch I/O is off or the fd cannot be told apart. */
    static BatchSocket attach(DatagramChannel channel) {
        if ("jdk".equals(System.getProperty("janytun.io"))) {
            return null;
        }
        try {
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            Libc.CallState st = new Libc.CallState();
            int found = -1;
            boolean foundV6 = false;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment addr = arena.allocate(SockAddr.SIZE, 8);
                for (int fd : openFds()) {
                    if (Libc.getsockoptInt(st, fd, Libc.SOL_SOCKET, Libc.SO_TYPE) != Libc.SOCK_DGRAM
                            || Libc.getsockoptInt(st, fd, Libc.SOL_SOCKET, Libc.SO_PROTOCOL) != Libc.IPPROTO_UDP) {
                        continue;
                    }
                    addr.fill((byte) 0);
                    if (Libc.getsockname(st, fd, addr) < 0) {
                        continue;
                    }
                    InetSocketAddress a = SockAddr.decode(addr, 0);
                    if (a != null && a.getPort() == local.getPort() && a.getAddress().equals(local.getAddress())) {
                        if (found >= 0) {
                            return null; // two sockets on one address (SO_REUSEPORT): cannot tell which
                        }
                        found = fd;
                        foundV6 = addr.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 0) == Libc.AF_INET6;
                    }
                }
            }
            if (found < 0) {
                return null;
            }
            // The channel asked for 4 MiB buffers, which the kernel caps at net.core.[rw]mem_max; with CAP_NET_ADMIN
            // (a daemon starting as root) the FORCE options get them: bursts of batched datagrams then fit.
            Libc.setsockoptInt(st, found, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, 4 << 20);
            Libc.setsockoptInt(st, found, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, 4 << 20);
            boolean gso = !"off".equals(System.getProperty("janytun.udp-gso"))
                    && Libc.getsockoptInt(st, found, Libc.SOL_UDP, Libc.UDP_SEGMENT) != Integer.MIN_VALUE;
            boolean gro = !"off".equals(System.getProperty("janytun.udp-gro"))
                    && Libc.setsockoptInt(st, found, Libc.SOL_UDP, Libc.UDP_GRO, 1) == 0;
            return new BatchSocket(channel, found, foundV6, gso, gro);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<Integer> openFds() {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : dir) {
                try {
                    fds.add(Integer.parseInt(p.getFileName().toString()));
                } catch (NumberFormatException ignored) {
                    // not an fd entry
                }
            }
        } catch (IOException | RuntimeException e) {
            for (int fd = 0; fd < 4096; fd++) { // no /proc: try them all
                fds.add(fd);
            }
        }
        return fds;
    }

    public DatagramChannel channel() {
        return channel;
    }

    int fd() {
        return fd;
    }

    boolean ipv6() {
        return ipv6;
    }

    /** Whether sends may use UDP_SEGMENT (turned off for good when the kernel answers EIO). */
    public boolean gso() {
        return gso;
    }

    void disableGso() {
        gso = false;
    }

    /**
     * Gives the socket back to plain use by its channel: turns UDP_GRO off again (a plain receive would take a
     * coalesced run for one datagram). For when another socket of the same transport cannot be batched.
     */
    void detach() {
        if (gro) {
            Libc.setsockoptInt(new Libc.CallState(), fd, Libc.SOL_UDP, Libc.UDP_GRO, 0);
        }
    }

    /** Whether UDP_GRO is on: a receive may return several datagrams of one size back to back. */
    public boolean gro() {
        return gro;
    }

    @Override
    public String toString() {
        return "recvmmsg/sendmmsg" + (gso ? ", UDP GSO" : "") + (gro ? ", UDP GRO" : "");
    }
}
