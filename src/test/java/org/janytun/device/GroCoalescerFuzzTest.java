package org.janytun.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link GroCoalescer}, which parses the inner packets a peer sent (authenticated, or
 * anyone's with {@code -a null}) before they go to the tun device. A batch mixes well-formed TCP segments and UDP
 * datagrams of a few flows (sizes, sequence numbers, flags, ports and addresses picked by the fuzzer), the same with
 * one byte changed, and raw bytes. Invariants: planning and building never throw; every packet is in exactly one
 * unit; and a merged unit, cut again the way the kernel cuts it ({@link GsoSplitter}), gives back its packets byte
 * for byte (but the IPv4 id, which counts up from the first one's), in the order they came. Regression mode
 * (bin/test) runs the corpus; bin/fuzz searches.
 */
class GroCoalescerFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void coalesce(FuzzedDataProvider data) {
        int count = data.consumeInt(1, 40);
        List<byte[]> packets = new ArrayList<>();
        int[] nextSeq = new int[2];
        for (int i = 0; i < count && data.remainingBytes() > 0; i++) {
            packets.add(packet(data, nextSeq));
        }
        if (packets.isEmpty()) {
            return;
        }
        int n = packets.size();
        OffloadTest.Batch batch = OffloadTest.Batch.of(packets);
        byte[][] bufs = batch.bufs();
        int[] offsets = batch.offsets();
        GroCoalescer c = new GroCoalescer(64, data.consumeBoolean());
        int units = c.plan(bufs, offsets, batch.sizes(), n);
        boolean[] seen = new boolean[n];
        byte[] out = new byte[70_000];
        for (int u = 0; u < units; u++) {
            List<Integer> members = new ArrayList<>();
            for (int i = c.first(u); i >= 0; i = c.nextOf(i)) {
                assertTrue(!seen[i], "packet " + i + " in two units");
                seen[i] = true;
                members.add(i);
            }
            assertEquals(c.count(u), members.size());
            for (int k = 1; k < members.size(); k++) {
                assertTrue(members.get(k) > members.get(k - 1), "a unit keeps the order of its packets");
            }
            if (!c.merged(u)) {
                continue;
            }
            int len = c.build(u, bufs, offsets, out);
            GsoSplitter s = new GsoSplitter();
            assertTrue(s.begin(out, 0, len), "a merged write is one the kernel takes");
            int k = 0;
            byte[] seg = new byte[2048];
            while (s.hasMore()) {
                int l = s.next(seg, 0);
                assertTrue(k < members.size(), "more packets out than went in");
                byte[] expected = packets.get(members.get(k)).clone();
                byte[] got = Arrays.copyOf(seg, l);
                if ((expected[0] & 0xF0) == 0x40) { // the IP id of the split copies counts up from the first one's
                    Checksum.putShort(expected, 4, Checksum.getShort(packets.get(members.get(0)), 4) + k);
                    Checksum.fixIpv4Header(expected, 0, 20);
                }
                assertArrayEquals(expected, got, "unit " + u + ", packet " + k);
                k++;
            }
            assertEquals(members.size(), k);
        }
        for (int i = 0; i < n; i++) {
            assertTrue(seen[i], "packet " + i + " in no unit");
        }
    }

    /**
     * A TCP segment or UDP datagram of one of a few flows (a TCP segment mostly continues its flow's sequence, sizes
     * mostly repeat, so that runs form and merge), maybe with one byte changed; or raw bytes.
     */
    private static byte[] packet(FuzzedDataProvider data, int[] nextSeq) {
        int kind = data.consumeInt(0, 4);
        if (kind == 0) {
            return data.consumeBytes(data.consumeInt(0, 200));
        }
        int version = data.consumeBoolean() ? 4 : 6;
        int size = data.pickValue(new int[] {100, 100, 100, 40, data.consumeInt(0, 1400)});
        byte[] payload = new byte[size];
        Arrays.fill(payload, (byte) data.consumeInt(0, 255));
        byte[] p;
        if (kind <= 2) {
            int flow = version == 4 ? 0 : 1;
            int seq = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 1000) : nextSeq[flow];
            nextSeq[flow] = seq + size;
            int flags = data.pickValue(new int[] {0x10, 0x10, 0x18, 0x11, 0x02, data.consumeInt(0, 255)});
            byte[] options = data.consumeInt(0, 3) != 0 ? new byte[0] : new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
            p = OffloadTest.tcp(version, seq, 9, flags, payload, options);
        } else {
            p = OffloadTest.udp(version, 5201 + data.consumeInt(0, 1), payload);
        }
        if (data.consumeInt(0, 3) == 0) {
            p[data.consumeInt(0, p.length - 1)] ^= (byte) data.consumeInt(1, 255);
        }
        return p;
    }
}
