package org.janytun.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Segmentation of TSO/USO packets and coalescing of TCP segments, checked against hand-built packets. */
class OffloadTest {
    private static final int MSS = 1360;

    /** An IPv4 or IPv6 TCP segment 10.0.0.1:40000 -> 10.0.0.2:5201 (fd00::1, fd00::2) with correct checksums. */
    static byte[] tcp(int version, int seq, int ack, int flags, byte[] payload, byte[] options) {
        int th = 20 + options.length;
        byte[] p = new byte[(version == 4 ? 20 : 40) + th + payload.length];
        int t = Packets.ipHeader(p, address(version, 1), address(version, 2), 6);
        Checksum.putShort(p, t, 40000);
        Checksum.putShort(p, t + 2, 5201);
        Checksum.putInt(p, t + 4, seq);
        Checksum.putInt(p, t + 8, ack);
        p[t + 12] = (byte) ((th / 4) << 4);
        p[t + 13] = (byte) flags;
        Checksum.putShort(p, t + 14, 501);
        System.arraycopy(options, 0, p, t + 20, options.length);
        System.arraycopy(payload, 0, p, t + th, payload.length);
        long sum = Checksum.pseudoHeader(p, 0, version, 6, p.length - t);
        Checksum.putShort(p, t + 16, Checksum.finish(Checksum.add(p, t, p.length - t, sum)));
        return p;
    }

    /** An IPv4 or IPv6 UDP datagram 40000 -> {@code dstPort} between the addresses {@link #tcp} uses. */
    static byte[] udp(int version, int dstPort, byte[] payload) {
        return Packets.udp(address(version, 1), address(version, 2), 40000, dstPort, payload);
    }

    /** 10.0.0.{@code host} or fd00::{@code host}. */
    private static byte[] address(int version, int host) {
        byte[] a = new byte[version == 4 ? 4 : 16];
        a[0] = (byte) (version == 4 ? 10 : 0xfd);
        a[a.length - 1] = (byte) host;
        return a;
    }

    static boolean checksumsValid(byte[] p, int off, int len) {
        int version = (p[off] & 0xFF) >>> 4;
        int iph = version == 4 ? (p[off] & 0x0F) * 4 : 40;
        if (version == 4 && Checksum.fold(Checksum.add(p, off, iph, 0)) != 0xFFFF) {
            return false;
        }
        int proto = version == 4 ? p[off + 9] : p[off + 6];
        long sum = Checksum.pseudoHeader(p, off, version, proto, len - iph);
        return Checksum.fold(Checksum.add(p, off + iph, len - iph, sum)) == 0xFFFF;
    }

    /** What the kernel hands over for a TSO write: the large segment, partial checksum, virtio_net_hdr. */
    static byte[] asGso(byte[] big, int version, int mss) {
        int iph = version == 4 ? 20 : 40;
        byte[] out = new byte[VirtioNetHdr.LENGTH + big.length];
        System.arraycopy(big, 0, out, VirtioNetHdr.LENGTH, big.length);
        int ip = VirtioNetHdr.LENGTH;
        int th = ((big[iph + 12] & 0xFF) >>> 4) * 4;
        Checksum.putShort(out, ip + iph + 16, Checksum.fold(Checksum.pseudoHeader(out, ip, version, 6, big.length - iph)));
        VirtioNetHdr.write(out, 0, VirtioNetHdr.F_NEEDS_CSUM, version == 4 ? VirtioNetHdr.GSO_TCPV4 : VirtioNetHdr.GSO_TCPV6,
                iph + th, mss, iph, 16);
        return out;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void checksumMatchesTheByteWiseDefinition() {
        Random r = new Random(1);
        for (int len = 0; len < 300; len++) {
            byte[] b = new byte[len + 3];
            r.nextBytes(b);
            long slow = 0;
            for (int i = 0; i < len; i += 2) {
                slow += ((b[1 + i] & 0xFF) << 8) | (i + 1 < len ? b[2 + i] & 0xFF : 0);
            }
            assertEquals(Checksum.fold(slow), Checksum.fold(Checksum.add(b, 1, len, 0)), "len " + len);
        }
    }

    @Test
    void tsoSegmentsAreWhatTheKernelWouldSend() {
        for (int version : new int[] {4, 6}) {
            byte[] options = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}; // NOP NOP timestamps
            byte[] data = random(50_000, version);
            byte[] big = tcp(version, 1000, 77, 0x18 | 0x80, data, options); // ACK|PSH|CWR
            byte[] gso = asGso(big, version, MSS);
            GsoSplitter s = new GsoSplitter();
            assertTrue(s.begin(gso, 0, gso.length));
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            int n = 0;
            int iph = version == 4 ? 20 : 40;
            int headers = iph + 32;
            while (s.hasMore()) {
                byte[] out = new byte[2048];
                int len = s.next(out, 10);
                assertTrue(len > 0);
                assertTrue(checksumsValid(out, 10, len), "segment " + n);
                int t = 10 + iph;
                assertEquals(1000 + n * MSS, Checksum.getInt(out, t + 4));
                int flags = out[t + 13] & 0xFF;
                boolean last = !s.hasMore();
                assertEquals(0x10 | (last ? 0x08 : 0) | (n == 0 ? 0x80 : 0), flags, "flags of segment " + n);
                if (version == 4) {
                    assertEquals(len, Checksum.getShort(out, 12));
                    assertEquals(0x1234 + n, Checksum.getShort(out, 14));
                } else {
                    assertEquals(len - 40, Checksum.getShort(out, 14));
                }
                assertTrue(len - headers <= MSS);
                joined.write(out, 10 + headers, len - headers);
                n++;
            }
            assertEquals((data.length + MSS - 1) / MSS, n);
            assertArrayEquals(data, joined.toByteArray());
        }
    }

    @Test
    void partialChecksumOfASinglePacketIsCompleted() {
        byte[] p = tcp(4, 5, 6, 0x10, random(100, 3), new byte[0]);
        byte[] gso = asGso(p, 4, MSS);
        gso[1] = VirtioNetHdr.GSO_NONE;
        GsoSplitter s = new GsoSplitter();
        assertTrue(s.begin(gso, 0, gso.length));
        byte[] out = new byte[2048];
        int len = s.next(out, 0);
        assertFalse(s.hasMore());
        assertArrayEquals(p, Arrays.copyOf(out, len));
    }

    @Test
    void consecutiveSegmentsMergeIntoOneGsoWrite() {
        for (int version : new int[] {4, 6}) {
            byte[] data = random(MSS * 10 + 100, 10 + version);
            List<byte[]> segs = new ArrayList<>();
            for (int i = 0; i * MSS < data.length; i++) {
                int from = i * MSS;
                int to = Math.min(data.length, from + MSS);
                boolean last = to == data.length;
                segs.add(tcp(version, 500 + from, 9, last ? 0x18 : 0x10, Arrays.copyOfRange(data, from, to), new byte[0]));
            }
            // a pure ACK of another flow in between does not break the run
            byte[] other = tcp(version, 1, 2, 0x10, new byte[0], new byte[0]);
            other[version == 4 ? 20 : 40] = 0x11;
            long sum = 0;
            segs.add(3, fixTcpChecksum(other, version));
            Batch batch = Batch.of(segs);
            byte[][] bufs = batch.bufs();
            int[] offsets = batch.offsets();
            GroCoalescer c = new GroCoalescer(64, true);
            int units = c.plan(bufs, offsets, batch.sizes(), segs.size());
            assertEquals(2, units);
            assertTrue(c.merged(0));
            assertEquals(11, c.count(0));
            assertFalse(c.merged(1));
            assertEquals(3, c.first(1));
            byte[] out = new byte[70000];
            int len = c.build(0, bufs, offsets, out);
            // What the kernel does with it: split it again; the result must be the original segments.
            GsoSplitter s = new GsoSplitter();
            assertTrue(s.begin(out, 0, len));
            int k = 0;
            while (s.hasMore()) {
                byte[] seg = new byte[2048];
                int l = s.next(seg, 0);
                byte[] expected = segs.get(k < 3 ? k : k + 1);
                if (version == 4) { // the IP id of the split copies counts up from the first one's
                    Checksum.putShort(expected, 4, 0x1234 + k);
                    Checksum.fixIpv4Header(expected, 0, 20);
                }
                assertArrayEquals(expected, Arrays.copyOf(seg, l), "segment " + k);
                k++;
            }
            assertEquals(11, k);
            assertEquals(sum, 0);
        }
    }

    @Test
    void datagramsOfOneUdpFlowMergeIntoUsoWritesOfAtMost64() {
        for (int version : new int[] {4, 6}) {
            List<byte[]> dgrams = new ArrayList<>();
            for (int i = 0; i < 70; i++) {
                dgrams.add(udp(version, 5201, random(i == 69 ? 20 : 36, 100 * version + i))); // the last one shorter
            }
            byte[] tcpSameAddresses = tcp(version, 1, 2, 0x10, random(36, 7), new byte[0]);
            dgrams.add(5, tcpSameAddresses);                 // another protocol between: no effect on the UDP flow
            dgrams.add(9, udp(version, 5202, random(36, 8))); // another flow between: no effect either
            Batch batch = Batch.of(dgrams);
            byte[][] bufs = batch.bufs();
            int[] offsets = batch.offsets();
            GroCoalescer c = new GroCoalescer(128, true);
            int units = c.plan(bufs, offsets, batch.sizes(), dgrams.size());
            // the first 64 datagrams of the flow; the TCP segment; the other flow; the remaining 6 (the last shorter)
            assertEquals(4, units);
            assertEquals(64, c.count(0));
            assertEquals(5, c.first(1));
            assertFalse(c.merged(1));
            assertEquals(9, c.first(2));
            assertFalse(c.merged(2));
            assertEquals(6, c.count(3));
            List<byte[]> flow = new ArrayList<>(dgrams);
            flow.remove(9);
            flow.remove(5);
            int k = 0;
            for (int u : new int[] {0, 3}) {
                byte[] out = new byte[70000];
                int len = c.build(u, bufs, offsets, out);
                assertEquals(VirtioNetHdr.GSO_UDP_L4, out[1]);
                // What the kernel does with it: split it again; the result must be the original datagrams.
                GsoSplitter s = new GsoSplitter();
                assertTrue(s.begin(out, 0, len));
                while (s.hasMore()) {
                    byte[] seg = new byte[256];
                    int l = s.next(seg, 0);
                    byte[] expected = flow.get(k).clone();
                    if (version == 4) { // the IP id of the split copies counts up from the first one's
                        Checksum.putShort(expected, 4, 0x1234 + (u == 0 ? k : k - 64));
                        Checksum.fixIpv4Header(expected, 0, 20);
                    }
                    assertArrayEquals(expected, Arrays.copyOf(seg, l), "datagram " + k);
                    k++;
                }
            }
            assertEquals(70, k);
        }
    }

    @Test
    void udpIsNotMergedWithoutUsoNorWithoutAValidChecksum() {
        byte[] a = udp(4, 53, random(40, 1));
        byte[] b = udp(4, 53, random(40, 2));
        byte[][] bufs = {a, b};
        int[] offsets = new int[2];
        int[] sizes = {a.length, b.length};
        assertEquals(2, new GroCoalescer(64, false).plan(bufs, offsets, sizes, 2));
        assertEquals(1, new GroCoalescer(64, true).plan(bufs, offsets, sizes, 2));
        byte[] bad = udp(4, 53, random(40, 3));
        bad[40] ^= 1;
        byte[] none = udp(4, 53, random(40, 4));
        Checksum.putShort(none, 26, 0); // IPv4 UDP without a checksum
        byte[][] mixed = {a, bad, none};
        int[] mixedSizes = {a.length, bad.length, none.length};
        GroCoalescer c = new GroCoalescer(64, true);
        assertEquals(3, c.plan(mixed, new int[3], mixedSizes, 3));
        for (int u = 0; u < 3; u++) {
            assertFalse(c.merged(u));
        }
    }

    /** Packets as the data path hands them to the device: each at offset 10 of its own buffer. */
    record Batch(byte[][] bufs, int[] offsets, int[] sizes) {
        static Batch of(List<byte[]> packets) {
            int count = packets.size();
            Batch b = new Batch(new byte[count][], new int[count], new int[count]);
            for (int i = 0; i < count; i++) {
                byte[] p = packets.get(i);
                b.bufs[i] = new byte[10 + p.length];
                b.offsets[i] = 10;
                b.sizes[i] = p.length;
                System.arraycopy(p, 0, b.bufs[i], 10, p.length);
            }
            return b;
        }
    }

    private static byte[] fixTcpChecksum(byte[] p, int version) {
        int iph = version == 4 ? 20 : 40;
        Checksum.putShort(p, iph + 16, 0);
        long sum = Checksum.pseudoHeader(p, 0, version, 6, p.length - iph);
        Checksum.putShort(p, iph + 16, Checksum.finish(Checksum.add(p, iph, p.length - iph, sum)));
        return p;
    }

    @Test
    void gapsBadChecksumsAndOtherFlagsAreNotMerged() {
        byte[] a = tcp(4, 0, 1, 0x10, random(MSS, 1), new byte[0]);
        byte[] gap = tcp(4, MSS + 1, 1, 0x10, random(MSS, 2), new byte[0]);     // does not follow
        byte[] bad = tcp(4, 2 * MSS + 1, 1, 0x10, random(MSS, 3), new byte[0]);
        bad[60] ^= 1;                                                            // corrupted payload
        byte[] fin = tcp(4, 2 * MSS + 1, 1, 0x11, random(MSS, 4), new byte[0]);  // FIN
        byte[][] bufs = {a, gap, bad, fin};
        int[] offsets = new int[4];
        int[] sizes = {a.length, gap.length, bad.length, fin.length};
        GroCoalescer c = new GroCoalescer(64, true);
        assertEquals(4, c.plan(bufs, offsets, sizes, 4));
        for (int u = 0; u < 4; u++) {
            assertFalse(c.merged(u));
            assertEquals(u, c.first(u));
        }
    }
}
