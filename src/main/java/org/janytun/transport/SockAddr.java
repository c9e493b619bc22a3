package org.janytun.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import org.janytun.os.Libc;

/**
 * {@code struct sockaddr_in} (16 bytes) and {@code struct sockaddr_in6} (28 bytes) in native memory. On a dual-stack
 * IPv6 socket IPv4 peers appear as {@code ::ffff:a.b.c.d}; they are decoded to {@link Inet4Address}, as the JDK does,
 * so that an endpoint learned from a packet equals the configured one.
 */
final class SockAddr {
    static final int SIZE = 32; // room for sockaddr_in6 (28), 8-aligned
    private static final java.lang.foreign.ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private SockAddr() {
    }

    /**
     * Encodes {@code a} for a socket of family {@code ipv6Socket ? AF_INET6 : AF_INET} into {@code dst} at
     * {@code off}. Returns the address length, or -1 when the address cannot be reached from such a socket.
     */
    static int encode(InetSocketAddress a, boolean ipv6Socket, MemorySegment dst, long off) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            return -1;
        }
        byte[] raw = ip.getAddress();
        dst.asSlice(off, SIZE).fill((byte) 0);
        if (!ipv6Socket) {
            if (raw.length != 4) {
                return -1;
            }
            dst.set(JAVA_SHORT, off, (short) Libc.AF_INET);
            dst.set(NET_SHORT, off + 2, (short) a.getPort());
            MemorySegment.copy(raw, 0, dst, JAVA_BYTE, off + 4, 4);
            return 16;
        }
        dst.set(JAVA_SHORT, off, (short) Libc.AF_INET6);
        dst.set(NET_SHORT, off + 2, (short) a.getPort());
        if (raw.length == 4) {
            dst.set(JAVA_BYTE, off + 18, (byte) 0xFF);
            dst.set(JAVA_BYTE, off + 19, (byte) 0xFF);
            MemorySegment.copy(raw, 0, dst, JAVA_BYTE, off + 20, 4);
        } else {
            MemorySegment.copy(raw, 0, dst, JAVA_BYTE, off + 8, 16);
            dst.set(JAVA_INT, off + 24, ((Inet6Address) ip).getScopeId());
        }
        return 28;
    }

    /** Decodes a sockaddr_in or sockaddr_in6; null for another family. Allocates: call only when it changed. */
    static InetSocketAddress decode(MemorySegment src, long off) {
        int family = src.get(JAVA_SHORT, off);
        int port = Short.toUnsignedInt(src.get(NET_SHORT, off + 2));
        try {
            if (family == Libc.AF_INET) {
                byte[] raw = new byte[4];
                MemorySegment.copy(src, JAVA_BYTE, off + 4, raw, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port);
            }
            if (family == Libc.AF_INET6) {
                byte[] raw = new byte[16];
                MemorySegment.copy(src, JAVA_BYTE, off + 8, raw, 0, 16);
                int scope = src.get(JAVA_INT, off + 24);
                InetAddress ip = InetAddress.getByAddress(raw); // ::ffff:a.b.c.d comes back as Inet4Address
                if (scope != 0 && ip instanceof Inet6Address) {
                    ip = Inet6Address.getByAddress(null, raw, scope);
                }
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            return null; // not for a literal address of the right length
        }
        return null;
    }
}
