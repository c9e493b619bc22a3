package org.janytun.keyx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.crypto.AeadSuite;
import org.janytun.crypto.Role;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.Test;

/**
 * The data keys of docs/SATP-SESSIONS.md §9.3, computed independently (Python's hmac, RFC 5869 by hand): a suite
 * built from those keys and one derived from the split keys seal identical datagrams in both directions.
 */
class SessionKeysTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void derivesTheKeysAndIvsOfTheSpec() {
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        for (int i = 0; i < 32; i++) {
            k1[i] = (byte) i;
            k2[i] = (byte) (32 + i);
        }
        AeadSuite derived = SessionKeys.derive(AeadAlgorithm.AES_256_GCM, new byte[][] {k1, k2});
        AeadSuite expected = new AeadSuite(AeadAlgorithm.AES_256_GCM,
                HEX.parseHex("443de4acc319b177c098d7169f7562267d7c84b7f69ab6a99060970c708add37"),
                HEX.parseHex("4a328b58787a4cc72a4f15e4"),
                HEX.parseHex("76b12bfd6f3279f24bbbd93790811cf2cfa848663ca8a59bf42ebec7a6b4048e"),
                HEX.parseHex("ee2e84d4cb2292ea78f8e686"));
        assertArrayEquals(new byte[32], k1, "the split keys are wiped");
        for (Role sender : Role.values()) {
            byte[] a = seal(derived, sender);
            byte[] b = seal(expected, sender);
            assertArrayEquals(b, a, sender.toString());
        }
    }

    private static byte[] seal(AeadSuite suite, Role sender) {
        SatpSession s = new SatpSession(suite, sender, 3, 9, DeviceType.TUN, 0);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        PacketResult r = new PacketResult();
        assertTrue(s.seal(buf, 30, r));
        assertEquals(8 + 2 + 30 + 16, r.datagramLength());
        return java.util.Arrays.copyOf(buf, r.datagramLength());
    }
}
