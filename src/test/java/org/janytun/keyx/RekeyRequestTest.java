package org.janytun.keyx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.janytun.noise.NoiseException;
import org.junit.jupiter.api.Test;

/** Rekey-requests authenticate under the pair's rekey key only; and the simultaneous-initiation rule is symmetric. */
class RekeyRequestTest {
    @Test
    void aRequestAuthenticatesUnderItsPairsKeyOnly() throws NoiseException {
        byte[] key = new byte[32];
        key[3] = 7;
        byte[] t = Tai64n.of(Instant.parse("2026-12-07T08:00:00Z"));
        byte[] d = RekeyRequest.encode(0x0b, 0x80000001, t, key);
        assertEquals(40, d.length);
        assertEquals(0x80000001L, RekeyRequest.receiverIndex(d, d.length));
        assertArrayEquals(t, RekeyRequest.verify(d, d.length, key));
        byte[] other = key.clone();
        other[0] = 1;
        assertThrows(NoiseException.class, () -> RekeyRequest.verify(d, d.length, other));
        for (int i = 0; i < d.length; i++) {
            byte[] bad = d.clone();
            bad[i] ^= 1;
            assertThrows(NoiseException.class, () -> RekeyRequest.verify(bad, bad.length, key), "byte " + i);
        }
        assertEquals(-1, RekeyRequest.receiverIndex(d, 39));
    }

    @Test
    void exactlyOneSideKeepsItsInitiation() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        a[0] = 1;
        b[0] = (byte) 0x80; // larger unsigned, smaller signed
        assertNotEquals(SessionHandshake.keepsOwnInitiation(a, b), SessionHandshake.keepsOwnInitiation(b, a));
        assertEquals(true, SessionHandshake.keepsOwnInitiation(a, b));
    }
}
