package org.janytun.datapath;

import java.util.EnumMap;
import java.util.Map;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.session.DropReason;

/** What the stage tests share: a suite, a drop counter by reason, IPv4 test packets. */
final class StageFixture {
    static final CryptoSuite SUITE = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128,
            AuthAlgorithm.SHA1, 10, null, null, "stages".getBytes());

    final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    final DropCounter counter = r -> drops.merge(r, 1L, Long::sum);

    long dropped(DropReason r) {
        return drops.getOrDefault(r, 0L);
    }

    /** An IPv4 packet of {@code length} bytes whose payload counts from {@code n}. */
    static byte[] packet(int n, int length) {
        byte[] p = new byte[length];
        p[0] = 0x45;
        p[2] = (byte) (length >>> 8);
        p[3] = (byte) length;
        p[9] = 17;
        for (int i = 20; i < length; i++) {
            p[i] = (byte) (n + i);
        }
        return p;
    }
}
