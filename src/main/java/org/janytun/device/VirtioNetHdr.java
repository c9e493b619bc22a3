package org.janytun.device;

/**
 * {@code struct virtio_net_hdr} (linux/virtio_net.h), which precedes every packet read from or written to a tun fd
 * opened with {@code IFF_VNET_HDR}. Legacy tun headers are in host byte order: little-endian on x86_64 and aarch64.
 *
 * <pre>
 *  0 flags  1 gso_type  2 hdr_len  4 gso_size  6 csum_start  8 csum_offset   (10 bytes)
 * </pre>
 */
final class VirtioNetHdr {
    static final int LENGTH = 10;
    static final int F_NEEDS_CSUM = 1;
    static final int GSO_NONE = 0, GSO_TCPV4 = 1, GSO_UDP = 3, GSO_TCPV6 = 4, GSO_UDP_L4 = 5, GSO_ECN = 0x80;

    private VirtioNetHdr() {
    }

    static int le16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    static void putLe16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    /** Writes a header; {@code flags = 0, gsoType = GSO_NONE} and zeros for a packet with complete checksums. */
    static void write(byte[] b, int off, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        b[off] = (byte) flags;
        b[off + 1] = (byte) gsoType;
        putLe16(b, off + 2, hdrLen);
        putLe16(b, off + 4, gsoSize);
        putLe16(b, off + 6, csumStart);
        putLe16(b, off + 8, csumOffset);
    }

    static void clear(byte[] b, int off) {
        for (int i = 0; i < LENGTH; i++) {
            b[off + i] = 0;
        }
    }
}
