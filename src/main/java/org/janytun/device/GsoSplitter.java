package org.janytun.device;

import static org.janytun.device.VirtioNetHdr.F_NEEDS_CSUM;
import static org.janytun.device.VirtioNetHdr.GSO_ECN;
import static org.janytun.device.VirtioNetHdr.GSO_NONE;
import static org.janytun.device.VirtioNetHdr.GSO_TCPV4;
import static org.janytun.device.VirtioNetHdr.GSO_TCPV6;
import static org.janytun.device.VirtioNetHdr.GSO_UDP_L4;

/**
 * Turns what a tun fd with {@code IFF_VNET_HDR} and TSO/USO hands over into the packets that go on the wire:
 * a large TCP (or UDP) segment of up to 64 KiB is cut into MTU-sized packets exactly as the kernel's own GSO would
 * cut it (headers copied; IPv4 total length, id and header checksum, IPv6 payload length, TCP sequence number and
 * flags, UDP length, and the transport checksum rewritten for each packet), and a packet whose checksum the kernel
 * left to us ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}) gets it completed. So every inner packet we seal is one a
 * peer without offloads (uanytun, anytun) can write to its tun as it is.
 *
 * <p>One instance per reading thread; it keeps where it is in the current large packet, so a 64 KiB segment can
 * be handed out over several calls. Allocation-free.
 */
final class GsoSplitter {
    private byte[] src;
    private int ip;        // where the IP packet starts in src
    private int end;       // where it ends
    private int flags;
    private int gsoType;
    private int gsoSize;
    private int csumStart; // relative to ip
    private int csumOffset;
    private int version;
    private int l4;        // transport header, relative to ip
    private int headerLength; // IP + transport headers
    private int payloadPos;   // next payload byte (absolute)
    private int segment;
    private boolean pending;

    /** Packets that could not be split (malformed GSO metadata); counted by the caller's device. */
    long malformed;

    /**
     * Starts on the packet in {@code b[off, off+len)}, a virtio_net_hdr followed by the IP packet. Returns false
     * (and counts it) when the packet is malformed or too short to be one.
     */
    boolean begin(byte[] b, int off, int len) {
        pending = false;
        if (len <= VirtioNetHdr.LENGTH) {
            return bad();
        }
        src = b;
        flags = b[off] & 0xFF;
        gsoType = b[off + 1] & 0xFF & ~GSO_ECN;
        gsoSize = VirtioNetHdr.le16(b, off + 4);
        csumStart = VirtioNetHdr.le16(b, off + 6);
        csumOffset = VirtioNetHdr.le16(b, off + 8);
        ip = off + VirtioNetHdr.LENGTH;
        end = off + len;
        int packetLength = end - ip;
        version = (b[ip] & 0xFF) >>> 4;
        if ((flags & F_NEEDS_CSUM) != 0 && csumStart + csumOffset + 2 > packetLength) {
            return bad();
        }
        if (gsoType == GSO_NONE) {
            segment = 0;
            pending = true;
            return true;
        }
        if (gsoSize == 0 || (version != 4 && version != 6)) {
            return bad();
        }
        boolean tcp = gsoType == GSO_TCPV4 || gsoType == GSO_TCPV6;
        if (!tcp && gsoType != GSO_UDP_L4) {
            return bad(); // UFO (GSO_UDP) is never offered: we do not set TUN_F_UFO
        }
        int ipHeader = version == 4 ? (b[ip] & 0x0F) * 4 : 40;
        l4 = (flags & F_NEEDS_CSUM) != 0 ? csumStart : ipHeader;
        if (l4 < ipHeader || l4 + (tcp ? 20 : 8) > packetLength) {
            return bad();
        }
        int l4Header = tcp ? ((b[ip + l4 + 12] & 0xFF) >>> 4) * 4 : 8;
        if (l4Header < (tcp ? 20 : 8)) {
            return bad();
        }
        headerLength = l4 + l4Header;
        if (headerLength > packetLength) {
            return bad();
        }
        payloadPos = ip + headerLength;
        segment = 0;
        pending = true;
        return true;
    }

    private boolean bad() {
        malformed++;
        pending = false;
        return false;
    }

    boolean hasMore() {
        return pending;
    }

    /**
     * Writes the next packet to {@code dst} at {@code dstOff} and returns its length; returns -1 (and drops the rest
     * of the large packet) when it does not fit into {@code dst}.
     */
    int next(byte[] dst, int dstOff) {
        if (gsoType == GSO_NONE) {
            pending = false;
            int len = end - ip;
            if (len > dst.length - dstOff) {
                return -1;
            }
            System.arraycopy(src, ip, dst, dstOff, len);
            if ((flags & F_NEEDS_CSUM) != 0) {
                // The field holds the pseudo header sum; the kernel's skb_checksum_help completes it the same way.
                int field = dstOff + csumStart + csumOffset;
                int c = Checksum.finish(Checksum.add(dst, dstOff + csumStart, len - csumStart, 0));
                Checksum.putShort(dst, field, c == 0 && csumOffset == 6 ? 0xFFFF : c); // UDP sends 0 as 0xFFFF
            }
            return len;
        }
        int chunk = Math.min(gsoSize, end - payloadPos);
        boolean first = segment == 0;
        boolean last = payloadPos + chunk >= end;
        int len = headerLength + chunk;
        if (len > dst.length - dstOff) {
            pending = false;
            return -1;
        }
        System.arraycopy(src, ip, dst, dstOff, headerLength);
        System.arraycopy(src, payloadPos, dst, dstOff + headerLength, chunk);
        if (version == 4) {
            int ihl = (dst[dstOff] & 0x0F) * 4;
            Checksum.putShort(dst, dstOff + 2, len);
            Checksum.putShort(dst, dstOff + 4, Checksum.getShort(src, ip + 4) + segment);
            Checksum.fixIpv4Header(dst, dstOff, ihl);
        } else {
            Checksum.putShort(dst, dstOff + 4, len - 40);
        }
        int t = dstOff + l4;
        int proto;
        int checksumField;
        if (gsoType == GSO_UDP_L4) {
            proto = 17;
            Checksum.putShort(dst, t + 4, len - l4);
            checksumField = t + 6;
        } else {
            proto = 6;
            int seq0 = Checksum.getInt(src, ip + l4 + 4);
            Checksum.putInt(dst, t + 4, seq0 + (payloadPos - ip - headerLength));
            int f = dst[t + 13] & 0xFF;
            if (!last) {
                f &= ~(0x01 | 0x08); // FIN, PSH only on the last packet
            }
            if (!first) {
                f &= ~0x80; // CWR only on the first
            }
            dst[t + 13] = (byte) f;
            checksumField = t + 16;
        }
        Checksum.putShort(dst, checksumField, 0);
        long sum = Checksum.pseudoHeader(dst, dstOff, version, proto, len - l4);
        int c = Checksum.finish(Checksum.add(dst, t, len - l4, sum));
        Checksum.putShort(dst, checksumField, c == 0 && proto == 17 ? 0xFFFF : c);
        payloadPos += chunk;
        segment++;
        pending = !last;
        return len;
    }
}
