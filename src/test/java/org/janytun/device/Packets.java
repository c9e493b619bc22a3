package org.janytun.device;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Hand-built test packets: ICMP echo (IPv4, IPv6) and ARP, with their checksums. */
final class Packets {
    private Packets() {
    }

    /** The Internet checksum (RFC 1071) of {@code p[off, off+len)}; 0 over data that already holds a valid checksum. */
    static int checksum(byte[] p, int off, int len) {
        return fold(sum(p, off, len, 0));
    }

    private static long sum(byte[] p, int off, int len, long acc) {
        for (int i = 0; i + 1 < len; i += 2) {
            acc += ((p[off + i] & 0xff) << 8) | (p[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            acc += (p[off + len - 1] & 0xff) << 8;
        }
        return acc;
    }

    private static int fold(long acc) {
        while ((acc >> 16) != 0) {
            acc = (acc & 0xffff) + (acc >> 16);
        }
        return (int) (~acc & 0xffff);
    }

    /** IPv4 + ICMP echo request. */
    static byte[] icmp4Echo(byte[] src, byte[] dst, int id, int seq, byte[] payload) {
        int len = 20 + 8 + payload.length;
        byte[] p = ByteBuffer.allocate(len)
                .put((byte) 0x45).put((byte) 0).putShort((short) len).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 1).putShort((short) 0).put(src).put(dst)
                .put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq).put(payload)
                .array();
        putShort(p, 10, checksum(p, 0, 20));
        putShort(p, 22, checksum(p, 20, len - 20));
        return p;
    }

    /** Whether {@code p} is the IPv4 echo reply to {@link #icmp4Echo} with these arguments, checksums included. */
    static boolean isIcmp4EchoReply(byte[] p, byte[] src, byte[] dst, int id, int seq, byte[] payload) {
        return p.length == 28 + payload.length && (p[0] & 0xff) == 0x45 && p[9] == 1 && checksum(p, 0, 20) == 0
                && Arrays.equals(p, 12, 16, src, 0, 4) && Arrays.equals(p, 16, 20, dst, 0, 4)
                && p[20] == 0 && p[21] == 0 && checksum(p, 20, p.length - 20) == 0
                && getShort(p, 24) == id && getShort(p, 26) == seq && Arrays.equals(p, 28, p.length, payload, 0, payload.length);
    }

    /** IPv6 + ICMPv6 echo request. */
    static byte[] icmp6Echo(byte[] src, byte[] dst, int id, int seq, byte[] payload) {
        int icmpLen = 8 + payload.length;
        byte[] p = ByteBuffer.allocate(40 + icmpLen)
                .putInt(0x60000000).putShort((short) icmpLen).put((byte) 58).put((byte) 64).put(src).put(dst)
                .put((byte) 128).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq).put(payload)
                .array();
        putShort(p, 42, icmp6Checksum(p));
        return p;
    }

    static boolean isIcmp6EchoReply(byte[] p, byte[] src, byte[] dst, int id, int seq, byte[] payload) {
        return p.length == 48 + payload.length && (p[0] & 0xf0) == 0x60 && p[6] == 58
                && Arrays.equals(p, 8, 24, src, 0, 16) && Arrays.equals(p, 24, 40, dst, 0, 16)
                && (p[40] & 0xff) == 129 && icmp6Checksum(p) == 0
                && getShort(p, 44) == id && getShort(p, 46) == seq && Arrays.equals(p, 48, p.length, payload, 0, payload.length);
    }

    /** Over the pseudo-header (src, dst, length, next header 58) and the ICMPv6 message. */
    private static int icmp6Checksum(byte[] p) {
        int icmpLen = p.length - 40;
        long acc = sum(p, 8, 32, 0);
        acc += icmpLen + 58;
        return fold(sum(p, 40, icmpLen, acc));
    }

    /**
     * Writes at 0 of {@code p} (the whole packet) an IPv4 header (4-byte addresses: id 0x1234, DF, TTL 64, its
     * checksum) or an IPv6 one (16-byte addresses: hop limit 64) for {@code protocol}; returns its length.
     */
    static int ipHeader(byte[] p, byte[] src, byte[] dst, int protocol) {
        if (src.length == 4) {
            p[0] = 0x45;
            putShort(p, 2, p.length);
            putShort(p, 4, 0x1234);
            p[6] = 0x40;
            p[8] = 64;
            p[9] = (byte) protocol;
            System.arraycopy(src, 0, p, 12, 4);
            System.arraycopy(dst, 0, p, 16, 4);
            putShort(p, 10, checksum(p, 0, 20));
            return 20;
        }
        p[0] = 0x60;
        putShort(p, 4, p.length - 40);
        p[6] = (byte) protocol;
        p[7] = 64;
        System.arraycopy(src, 0, p, 8, 16);
        System.arraycopy(dst, 0, p, 24, 16);
        return 40;
    }

    /** An IPv4 or IPv6 UDP datagram (the header of {@link #ipHeader}) with correct checksums. */
    static byte[] udp(byte[] src, byte[] dst, int srcPort, int dstPort, byte[] payload) {
        byte[] p = new byte[(src.length == 4 ? 20 : 40) + 8 + payload.length];
        int iph = ipHeader(p, src, dst, 17);
        putShort(p, iph, srcPort);
        putShort(p, iph + 2, dstPort);
        putShort(p, iph + 4, p.length - iph);
        System.arraycopy(payload, 0, p, iph + 8, payload.length);
        long sum = Checksum.pseudoHeader(p, 0, src.length == 4 ? 4 : 6, 17, p.length - iph);
        putShort(p, iph + 6, Checksum.finish(Checksum.add(p, iph, p.length - iph, sum)));
        return p;
    }

    /** An Ethernet broadcast ARP request "who has {@code targetIp}, tell {@code senderIp}", padded to 60 bytes. */
    static byte[] arpRequest(byte[] senderMac, byte[] senderIp, byte[] targetIp) {
        return ByteBuffer.allocate(60)
                .put(new byte[] {-1, -1, -1, -1, -1, -1}).put(senderMac).putShort((short) 0x0806)
                .putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1)
                .put(senderMac).put(senderIp).put(new byte[6]).put(targetIp)
                .array();
    }

    /** Whether {@code f} is the ARP reply "{@code ip} is at {@code mac}" sent to {@code toMac}/{@code toIp}. */
    static boolean isArpReply(byte[] f, byte[] mac, byte[] ip, byte[] toMac, byte[] toIp) {
        return f.length >= 42 && Arrays.equals(f, 0, 6, toMac, 0, 6) && Arrays.equals(f, 6, 12, mac, 0, 6)
                && getShort(f, 12) == 0x0806 && getShort(f, 20) == 2
                && Arrays.equals(f, 22, 28, mac, 0, 6) && Arrays.equals(f, 28, 32, ip, 0, 4)
                && Arrays.equals(f, 32, 38, toMac, 0, 6) && Arrays.equals(f, 38, 42, toIp, 0, 4);
    }

    static int getShort(byte[] p, int at) {
        return ((p[at] & 0xff) << 8) | (p[at + 1] & 0xff);
    }

    private static void putShort(byte[] p, int at, int v) {
        p[at] = (byte) (v >> 8);
        p[at + 1] = (byte) v;
    }

    static String hex(byte[] p) {
        StringBuilder sb = new StringBuilder();
        for (byte b : p) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }
}
