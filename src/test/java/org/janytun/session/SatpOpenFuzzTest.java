package org.janytun.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Hex;
import org.janytun.crypto.Role;
import org.janytun.device.DeviceType;
import org.janytun.fuzz.Seeds;
import org.janytun.wire.SatpLayout;

/**
 * Coverage-guided fuzzing of {@link SatpSession#open} with the keys of the captured vectors (../shared/satp/vectors,
 * uanytun_default and the anytun captures with the same key): the seed corpus holds genuine datagrams the left ends
 * sent, so mutations start past the tag. Invariants, for window 64 and window 0: open never throws; only a datagram
 * byte for byte equal to a genuine one opens (a forgery never does); and an opened datagram, sealed again with its
 * sequence number and payload type, gives the same bytes. Regression mode (bin/test) runs the corpus; bin/fuzz searches.
 */
class SatpOpenFuzzTest {
    private static final CryptoSuite SUITE = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128,
            AuthAlgorithm.SHA1, 10, Hex.parse("00112233445566778899aabbccddeeff"),
            Hex.parse("0102030405060708090a0b0c0d0e"), null);
    /** The genuine datagrams: the seed corpus itself. */
    private static final Set<String> GENUINE = Seeds.hexOf(SatpOpenFuzzTest.class, "open");

    @FuzzTest(maxDuration = "30s")
    void open(byte[] datagram) {
        assertTrue(GENUINE.size() >= 6, "the seed corpus of genuine datagrams is there");
        for (long window : new long[] {64, 0}) {
            SatpSession receiver = new SatpSession(SUITE, Role.RIGHT, 0, 0, DeviceType.TUN, window);
            byte[] buf = Arrays.copyOf(datagram, Math.max(SatpLayout.BUFFER_SIZE, datagram.length));
            Received r = new Received();
            boolean delivered = receiver.open(buf, datagram.length, r);
            if (!r.authentic()) {
                assertTrue(!delivered && !r.movesEndpoint(), "an unauthentic datagram is neither delivered nor learned");
                continue;
            }
            assertTrue(GENUINE.contains(HexFormat.of().formatHex(datagram)),
                    "a forgery passed the tag: " + HexFormat.of().formatHex(datagram));
            if (delivered) {
                SatpSession sender = new SatpSession(SUITE, Role.LEFT, r.senderId(), r.mux(), DeviceType.TUN, 0);
                byte[] again = new byte[SatpLayout.BUFFER_SIZE];
                System.arraycopy(buf, r.innerOffset(), again, SatpLayout.INNER_OFFSET, r.innerLength());
                int n = sender.sealAs(again, r.innerLength(), r.payloadType(), r.seq());
                assertArrayEquals(datagram, Arrays.copyOf(again, n), "sealed again, the same datagram");
            }
        }
    }
}
