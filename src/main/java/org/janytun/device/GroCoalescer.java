package org.janytun.device;

import java.util.Arrays;

/**
 * Merges consecutive packets of one TCP or UDP flow within a batch of inner packets into one large packet, written to
 * a tun fd with {@code IFF_VNET_HDR} as a GSO packet with a partial checksum: the local stack then takes one 64 KiB
 * TCP segment instead of ~45 small ones (fewer stack traversals and fewer ACKs), the way GRO does on a NIC, and up to
 * 64 UDP datagrams in one {@code write} (the kernel splits them again before any socket sees them). This is
 * wireguard-go's tcpGRO and udpGRO, reduced to what a tunnel needs:
 *
 * <ul>
 *   <li>Only plain packets merge: IPv4 without options or fragmentation, or IPv6 without extension headers; TCP
 *       with ACK (PSH allowed on the last) and a payload, or UDP with a payload and a checksum; the checksum valid
 *       (so merging never hides a bad one).</li>
 *   <li>A TCP segment joins a flow's open group when addresses, ports, TOS/TTL (traffic class/hop limit), ACK
 *       number, window and TCP options equal those of the group's first segment, its sequence number follows on,
 *       and the group's segments so far all had the first one's size. A shorter segment or PSH closes the group.</li>
 *   <li>A UDP datagram joins when addresses, ports and TOS/TTL equal the first one's and the group's datagrams so
 *       far all had the first one's size, up to 64 datagrams (the kernel's {@code UDP_MAX_SEGMENTS}); a shorter one
 *       closes the group. Only where the kernel took USO ({@code TUN_F_USO4/6}, Linux 6.2): older kernels refuse
 *       such writes.</li>
 *   <li>Any other packet of a flow closes its open group (order within a flow is kept). Everything else is written
 *       as it came, each packet on its own.</li>
 * </ul>
 * Units are written in the order of their first packet. Allocation-free after construction.
 */
final class GroCoalescer {
    private static final int MAX_OPEN = 8;
    private static final int MAX_LENGTH = 65535;
    private static final int TCP = 6, UDP = 17;
    private static final int UDP_HEADER = 8;
    private static final int MAX_UDP_SEGMENTS = 64;

    private final boolean mergeUdp;

    private final int capacity;
    // per packet
    private final int[] ipHeader;
    private final int[] proto;      // TCP or UDP; 0: neither (not merged, no flow)
    private final int[] l4Header;   // TCP header length, or 8 for UDP
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

    /** @param mergeUdp whether UDP datagrams merge too: only where the tun device took USO */
    GroCoalescer(int capacity, boolean mergeUdp) {
        this.capacity = capacity;
        this.mergeUdp = mergeUdp;
        ipHeader = new int[capacity];
        proto = new int[capacity];
        l4Header = new int[capacity];
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
            if (proto[i] != 0) {
                int g = candidate[i] ? findGroup(bufs, offsets, i) : -1;
                if (g >= 0) {
                    next[unitLast[g]] = i;
                    unitLast[g] = i;
                    unitCount[g]++;
                    unitBytes[g] += payload[i];
                    if (payload[i] < payload[unitFirst[g]] || endsGroup(b, o, i)
                            || (proto[i] == UDP && unitCount[g] == MAX_UDP_SEGMENTS)) {
                        close(g);
                    }
                    continue;
                }
                closeFlow(bufs, offsets, i); // another packet of an open flow: the flow's group must not pass it
            }
            int u = newUnit(i);
            if (candidate[i] && !endsGroup(b, o, i)) {
                if (openCount == MAX_OPEN) {
                    close(open[0]);
                }
                open[openCount++] = u;
            }
        }
        return units;
    }

    /** TCP with PSH: the sender's end of a write, which must reach the receiver now. */
    private boolean endsGroup(byte[] b, int o, int i) {
        return proto[i] == TCP && (b[o + ipHeader[i] + 13] & 0x08) != 0;
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

    /** Records the parse of packet i: IP header length, protocol (0: neither), payload, candidate. */
    private void parse(int i, byte[] b, int o, int n) {
        proto[i] = 0;
        candidate[i] = false;
        payload[i] = 0;
        if (n < 28) {
            return;
        }
        int version = (b[o] & 0xFF) >>> 4;
        int iph;
        int p;
        if (version == 4) {
            iph = (b[o] & 0x0F) * 4;
            p = b[o + 9];
            if (iph < 20 || Checksum.getShort(b, o + 2) != n || (Checksum.getShort(b, o + 6) & 0x3FFF) != 0) {
                return; // a fragment, or a length we do not trust
            }
        } else if (version == 6) {
            iph = 40;
            p = b[o + 6];
            if (n < 48 || Checksum.getShort(b, o + 4) + 40 != n) {
                return;
            }
        } else {
            return;
        }
        int t = o + iph;
        int l4;
        if (p == TCP) {
            if (iph + 20 > n) {
                return;
            }
            l4 = ((b[t + 12] & 0xFF) >>> 4) * 4;
            if (l4 < 20 || iph + l4 > n) {
                return;
            }
        } else if (p == UDP) {
            if (iph + UDP_HEADER > n || Checksum.getShort(b, t + 4) != n - iph) {
                return;
            }
            l4 = UDP_HEADER;
        } else {
            return;
        }
        ipHeader[i] = iph;
        proto[i] = p;
        l4Header[i] = l4;
        payload[i] = n - iph - l4;
        if (payload[i] == 0 || (version == 4 && iph != 20)) {
            return;
        }
        if (p == TCP ? (b[t + 13] & ~0x08) != 0x10 : !mergeUdp || Checksum.getShort(b, t + 6) == 0) {
            return; // TCP flags other than ACK(+PSH); UDP where the kernel cannot take it, or without a checksum
        }
        if (version == 4 && Checksum.fold(Checksum.add(b, o, 20, 0)) != 0xFFFF) {
            return;
        }
        long sum = Checksum.pseudoHeader(b, o, version, p, n - iph);
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
            if (proto[f] != proto[i] || !sameFlow(fb, fo, ipHeader[f], b, o, ipHeader[i])) {
                continue;
            }
            boolean follows = proto[i] == UDP ? udpFollows(unit, i) : tcpFollows(unit, bufs, offsets, i);
            if (follows) {
                return unit;
            }
            close(unit);
            return -1;
        }
        return -1;
    }

    private boolean tcpFollows(int unit, byte[][] bufs, int[] offsets, int i) {
        int f = unitFirst[unit];
        byte[] b = bufs[i];
        byte[] fb = bufs[f];
        int t = offsets[i] + ipHeader[i];
        int ft = offsets[f] + ipHeader[f];
        return l4Header[i] == l4Header[f]
                && unitNextSeqOf(unit, bufs, offsets) == Checksum.getInt(b, t + 4)
                && Checksum.getInt(b, t + 8) == Checksum.getInt(fb, ft + 8)          // ACK number
                && Checksum.getShort(b, t + 14) == Checksum.getShort(fb, ft + 14)    // window
                && Arrays.equals(b, t + 20, t + l4Header[i], fb, ft + 20, ft + l4Header[f]) // options
                && payload[i] <= payload[f]
                && ipHeader[f] + l4Header[f] + unitBytes[unit] + payload[i] <= MAX_LENGTH;
    }

    private boolean udpFollows(int unit, int i) {
        int f = unitFirst[unit];
        return payload[i] <= payload[f] && ipHeader[f] + UDP_HEADER + unitBytes[unit] + payload[i] <= MAX_LENGTH;
    }

    private int unitNextSeqOf(int unit, byte[][] bufs, int[] offsets) {
        int f = unitFirst[unit];
        return Checksum.getInt(bufs[f], offsets[f] + ipHeader[f] + 4) + unitBytes[unit];
    }

    /** Closes the open group of packet i's flow, if any. */
    private void closeFlow(byte[][] bufs, int[] offsets, int i) {
        for (int k = 0; k < openCount; k++) {
            int f = unitFirst[open[k]];
            if (proto[f] == proto[i] && sameFlow(bufs[f], offsets[f], ipHeader[f], bufs[i], offsets[i], ipHeader[i])) {
                close(open[k]);
                return;
            }
        }
    }

    /** Same addresses, ports and the IP fields that must not differ within a GSO packet (the protocol: the caller). */
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

    /** The packet after {@code packet} in its unit, or -1 (for tests: the members of a unit in write order). */
    int nextOf(int packet) {
        return next[packet];
    }

    /**
     * Builds merged unit {@code unit} into {@code out} from 0: a virtio_net_hdr asking for TCP or UDP segmentation
     * and a partial checksum, then the first packet's headers and every member's payload. Returns the length written.
     */
    int build(int unit, byte[][] bufs, int[] offsets, byte[] out) {
        int f = unitFirst[unit];
        byte[] fb = bufs[f];
        int fo = offsets[f];
        int iph = ipHeader[f];
        int headers = iph + l4Header[f];
        int ip = VirtioNetHdr.LENGTH;
        System.arraycopy(fb, fo, out, ip, headers);
        int pos = ip + headers;
        int last = f;
        for (int i = f; i >= 0; i = next[i]) {
            System.arraycopy(bufs[i], offsets[i] + ipHeader[i] + l4Header[i], out, pos, payload[i]);
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
        boolean udp = proto[f] == UDP;
        int checksumAt;
        if (udp) {
            Checksum.putShort(out, t + 4, total - iph);
            checksumAt = 6;
        } else {
            if ((bufs[last][offsets[last] + ipHeader[last] + 13] & 0x08) != 0) {
                out[t + 13] |= 0x08;
            }
            checksumAt = 16;
        }
        // NEEDS_CSUM: the field holds the folded pseudo header sum, not complemented; the kernel adds the rest.
        Checksum.putShort(out, t + checksumAt,
                Checksum.fold(Checksum.pseudoHeader(out, ip, version, proto[f], total - iph)));
        int gso = udp ? VirtioNetHdr.GSO_UDP_L4 : version == 4 ? VirtioNetHdr.GSO_TCPV4 : VirtioNetHdr.GSO_TCPV6;
        VirtioNetHdr.write(out, 0, VirtioNetHdr.F_NEEDS_CSUM, gso, headers, payload[f], iph, checksumAt);
        return pos;
    }
}
