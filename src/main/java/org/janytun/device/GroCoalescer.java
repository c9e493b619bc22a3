package org.janytun.device;

import java.util.Arrays;

/**
 * Merges consecutive TCP segments of one flow within a batch of inner packets into one large segment, written to a
 * tun fd with {@code IFF_VNET_HDR} as a GSO packet ({@code VIRTIO_NET_HDR_GSO_TCPV4/6}, partial checksum): the
 * local TCP stack then receives one 64 KiB segment instead of ~45 small ones (fewer stack traversals and fewer ACKs),
 * the way GRO does on a NIC. This is wireguard-go's tcpGRO, reduced to what a tunnel needs:
 *
 * <ul>
 *   <li>Only plain data segments merge: IPv4 without options or fragmentation, or IPv6 without extension headers;
 *       TCP with ACK (PSH allowed on the last), a payload, and a valid checksum (so merging never hides a bad one).</li>
 *   <li>A segment joins a flow's open group when addresses, ports, TOS/TTL (traffic class/hop limit), ACK number,
 *       window and TCP options equal those of the group's first segment, its sequence number follows on, and the
 *       group's segments so far all had the first one's size. A shorter segment or PSH closes the group; so does
 *       any other TCP packet of the flow (order within a flow is kept).</li>
 *   <li>Everything else is written as it came, each packet on its own.</li>
 * </ul>
 * Units are written in the order of their first packet. Allocation-free after construction.
 */
final class GroCoalescer {
    private static final int MAX_OPEN = 8;
    private static final int MAX_LENGTH = 65535;

    private final int capacity;
    // per packet
    private final int[] ipHeader;
    private final int[] tcpHeader;  // TCP header length; 0: not TCP
    private final int[] payload;
    private final boolean[] candidate;
    private final int[] next;       // next member of the packet's group, -1 at the end
    // per unit (a group or a single packet), in write order
    private final int[] unitFirst;
    private final int[] unitLast;
    private final int[] unitCount;
    private final int[] unitBytes;  // payload bytes
    private int units;
    private final int[] open = new int[MAX_OPEN]; // unit numbers of open groups
    private int openCount;

    GroCoalescer(int capacity) {
        this.capacity = capacity;
        ipHeader = new int[capacity];
        tcpHeader = new int[capacity];
        payload = new int[capacity];
        candidate = new boolean[capacity];
        next = new int[capacity];
        unitFirst = new int[capacity];
        unitLast = new int[capacity];
        unitCount = new int[capacity];
        unitBytes = new int[capacity];
    }

    int capacity() {
        return capacity;
    }

    /** Groups {@code count} (≤ capacity) packets; returns the number of units to write. */
    int plan(byte[][] bufs, int[] offsets, int[] sizes, int count) {
        units = 0;
        openCount = 0;
        for (int i = 0; i < count; i++) {
            byte[] b = bufs[i];
            int o = offsets[i];
            parse(i, b, o, sizes[i]);
            next[i] = -1;
            if (tcpHeader[i] != 0) {
                int g = candidate[i] ? findGroup(bufs, offsets, i) : -1;
                if (g >= 0) {
                    next[unitLast[g]] = i;
                    unitLast[g] = i;
                    unitCount[g]++;
                    unitBytes[g] += payload[i];
                    if (payload[i] < payload[unitFirst[g]] || (b[o + ipHeader[i] + 13] & 0x08) != 0) {
                        close(g);
                    }
                    continue;
                }
                closeFlow(bufs, offsets, i); // another packet of an open flow: the flow's group must not pass it
            }
            int u = newUnit(i);
            if (candidate[i]) {
                boolean psh = (b[o + ipHeader[i] + 13] & 0x08) != 0;
                if (!psh) {
                    if (openCount == MAX_OPEN) {
                        close(open[0]);
                    }
                    open[openCount++] = u;
                }
            }
        }
        return units;
    }

    private int newUnit(int i) {
        int n = units++;
        unitFirst[n] = i;
        unitLast[n] = i;
        unitCount[n] = 1;
        unitBytes[n] = payload[i];
        return n;
    }

    private void close(int unit) {
        for (int k = 0; k < openCount; k++) {
            if (open[k] == unit) {
                System.arraycopy(open, k + 1, open, k, openCount - k - 1);
                openCount--;
                return;
            }
        }
    }

    /** Records the parse of packet i: IP header length, TCP header length (0: not TCP), payload, candidate. */
    private void parse(int i, byte[] b, int o, int n) {
        tcpHeader[i] = 0;
        candidate[i] = false;
        payload[i] = 0;
        if (n < 40) {
            return;
        }
        int version = (b[o] & 0xFF) >>> 4;
        int iph;
        if (version == 4) {
            iph = (b[o] & 0x0F) * 4;
            if (iph < 20 || b[o + 9] != 6 || Checksum.getShort(b, o + 2) != n
                    || (Checksum.getShort(b, o + 6) & 0x3FFF) != 0) {
                return; // not TCP, a fragment, or a length we do not trust
            }
        } else if (version == 6) {
            iph = 40;
            if (n < 60 || b[o + 6] != 6 || Checksum.getShort(b, o + 4) + 40 != n) {
                return;
            }
        } else {
            return;
        }
        int t = o + iph;
        int doff = ((b[t + 12] & 0xFF) >>> 4) * 4;
        if (doff < 20 || iph + doff > n) {
            return;
        }
        ipHeader[i] = iph;
        tcpHeader[i] = doff;
        payload[i] = n - iph - doff;
        int flags = b[t + 13] & 0xFF;
        if (payload[i] == 0 || (flags & ~0x08) != 0x10 || (version == 4 && iph != 20)) {
            return;
        }
        if (version == 4 && Checksum.fold(Checksum.add(b, o, 20, 0)) != 0xFFFF) {
            return;
        }
        long sum = Checksum.pseudoHeader(b, o, version, 6, n - iph);
        if (Checksum.fold(Checksum.add(b, t, n - iph, sum)) != 0xFFFF) {
            return; // a bad checksum stays visible to the kernel, which drops the packet
        }
        candidate[i] = true;
    }

    /** The open group that packet i continues, or -1. Closes a group of the same flow that it does not continue. */
    private int findGroup(byte[][] bufs, int[] offsets, int i) {
        byte[] b = bufs[i];
        int o = offsets[i];
        for (int k = 0; k < openCount; k++) {
            int unit = open[k];
            int f = unitFirst[unit];
            byte[] fb = bufs[f];
            int fo = offsets[f];
            if (!sameFlow(fb, fo, ipHeader[f], b, o, ipHeader[i])) {
                continue;
            }
            int t = o + ipHeader[i];
            int ft = fo + ipHeader[f];
            boolean follows = tcpHeader[i] == tcpHeader[f]
                    && unitNextSeqOf(unit, bufs, offsets) == Checksum.getInt(b, t + 4)
                    && Checksum.getInt(b, t + 8) == Checksum.getInt(fb, ft + 8)          // ACK number
                    && Checksum.getShort(b, t + 14) == Checksum.getShort(fb, ft + 14)    // window
                    && Arrays.equals(b, t + 20, t + tcpHeader[i], fb, ft + 20, ft + tcpHeader[f]) // options
                    && payload[i] <= payload[f]
                    && ipHeader[f] + tcpHeader[f] + unitBytes[unit] + payload[i] <= MAX_LENGTH;
            if (follows) {
                return unit;
            }
            close(unit);
            return -1;
        }
        return -1;
    }

    private int unitNextSeqOf(int unit, byte[][] bufs, int[] offsets) {
        int f = unitFirst[unit];
        return Checksum.getInt(bufs[f], offsets[f] + ipHeader[f] + 4) + unitBytes[unit];
    }

    /** Closes the open group of packet i's flow, if any. */
    private void closeFlow(byte[][] bufs, int[] offsets, int i) {
        for (int k = 0; k < openCount; k++) {
            int f = unitFirst[open[k]];
            if (sameFlow(bufs[f], offsets[f], ipHeader[f], bufs[i], offsets[i], ipHeader[i])) {
                close(open[k]);
                return;
            }
        }
    }

    /** Same addresses, ports and the IP fields that must not differ within a GSO packet. */
    private static boolean sameFlow(byte[] a, int ao, int aih, byte[] b, int bo, int bih) {
        int version = (a[ao] & 0xFF) >>> 4;
        if (version != (b[bo] & 0xFF) >>> 4 || aih != bih) {
            return false;
        }
        if (version == 4) {
            if (a[ao + 1] != b[bo + 1] || a[ao + 8] != b[bo + 8] || (a[ao + 6] & 0x40) != (b[bo + 6] & 0x40)
                    || !Arrays.equals(a, ao + 12, ao + 20, b, bo + 12, bo + 20)) {
                return false;
            }
        } else if (Checksum.getInt(a, ao) != Checksum.getInt(b, bo) || a[ao + 7] != b[bo + 7]
                || !Arrays.equals(a, ao + 8, ao + 40, b, bo + 8, bo + 40)) {
            return false;
        }
        return Checksum.getInt(a, ao + aih) == Checksum.getInt(b, bo + bih); // ports
    }

    /** Whether unit {@code u} is a merge of several packets (else {@link #first}'s packet is written alone). */
    boolean merged(int unit) {
        return unitCount[unit] > 1;
    }

    int first(int unit) {
        return unitFirst[unit];
    }

    int count(int unit) {
        return unitCount[unit];
    }

    /**
     * Builds merged unit {@code unit} into {@code out} from 0: a virtio_net_hdr asking for TCP segmentation and a
     * partial checksum, then the first packet's headers and every member's payload. Returns the length written.
     */
    int build(int unit, byte[][] bufs, int[] offsets, byte[] out) {
        int f = unitFirst[unit];
        byte[] fb = bufs[f];
        int fo = offsets[f];
        int iph = ipHeader[f];
        int headers = iph + tcpHeader[f];
        int ip = VirtioNetHdr.LENGTH;
        System.arraycopy(fb, fo, out, ip, headers);
        int pos = ip + headers;
        int last = f;
        for (int i = f; i >= 0; i = next[i]) {
            System.arraycopy(bufs[i], offsets[i] + ipHeader[i] + tcpHeader[i], out, pos, payload[i]);
            pos += payload[i];
            last = i;
        }
        int total = pos - ip;
        int version = (out[ip] & 0xFF) >>> 4;
        if (version == 4) {
            Checksum.putShort(out, ip + 2, total);
            Checksum.fixIpv4Header(out, ip, iph);
        } else {
            Checksum.putShort(out, ip + 4, total - 40);
        }
        int t = ip + iph;
        if ((bufs[last][offsets[last] + ipHeader[last] + 13] & 0x08) != 0) {
            out[t + 13] |= 0x08;
        }
        // NEEDS_CSUM: the field holds the folded pseudo header sum, not complemented; the kernel adds the rest.
        Checksum.putShort(out, t + 16, Checksum.fold(Checksum.pseudoHeader(out, ip, version, 6, total - iph)));
        VirtioNetHdr.write(out, 0, VirtioNetHdr.F_NEEDS_CSUM,
                version == 4 ? VirtioNetHdr.GSO_TCPV4 : VirtioNetHdr.GSO_TCPV6, headers, payload[f], iph, 16);
        return pos;
    }
}
