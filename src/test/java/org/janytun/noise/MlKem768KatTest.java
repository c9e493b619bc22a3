package org.janytun.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * ML-KEM-768 key generation against a FIPS 203 known answer: NIST ACVP-Server's ML-KEM keyGen test case 26
 * (parameter set ML-KEM-768; the vectors OpenJDK's own {@code test/jdk/sun/security/provider/acvp} runs, together
 * with encapDecap). {@link MlKem768#generate} is fed {@code d} then {@code z} through its {@link SecureRandom}:
 * the encapsulation key must hash (SHA3-256) to the H(ek) that the vector's decapsulation key carries, start and
 * end as the vector's does, and the JDK's decapsulation key must end with H(ek) ‖ z as the vector's does.
 * The whole 1184-byte key is thereby checked without copying it here.
 */
class MlKem768KatTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] D = HEX.parseHex("E34A701C4C87582F42264EE422D3C684D97611F2523EFE0C998AF05056D693DC");
    private static final byte[] Z = HEX.parseHex("A85768F3486BD32A01BF9A8F21EA938E648EAE4E5448C34C3EB88820B159EEDD");
    private static final String EK_HEAD = "6D14A071F7CC452558D5E71A7B087062ECB1386844588246126402B1FA163773";
    private static final String EK_TAIL = "B48CAB59E5362F26A9EF50C2BC80BA146226216FE62968A60D04E8C170D741C7A2B0E1ABDAC968";
    private static final String DK_HEAD = "98A1B2DA4A65CFB5845EA7311E6A06DB731F1590C41EE74BA10782715B35A310";
    private static final byte[] H_EK = HEX.parseHex("E29020839D052FA372585627F8B59EE312AE414C979D825F06A6929A79625718");

    /** Hands out d, then z, then refuses: the key generation must draw exactly those. */
    private static final class Scripted extends SecureRandom {
        private int calls;

        @Override
        public void nextBytes(byte[] bytes) {
            byte[] next = switch (calls++) {
                case 0 -> D;
                case 1 -> Z;
                default -> throw new AssertionError("ML-KEM key generation drew more than d and z");
            };
            assertEquals(32, bytes.length);
            System.arraycopy(next, 0, bytes, 0, 32);
        }
    }

    /** FIPS 203 §7.2's modulus check: coefficients of 0xFFF are out of range, and the key is refused on receipt. */
    @Test
    void anEncapsulationKeyOutOfRangeIsRefused() throws Exception {
        byte[] bad = new byte[MlKem768.PUBLIC_KEY_LENGTH];
        java.util.Arrays.fill(bad, (byte) 0xFF);
        org.junit.jupiter.api.Assertions.assertThrows(NoiseException.class, () -> MlKem768.validate(bad));
        org.junit.jupiter.api.Assertions.assertThrows(NoiseException.class,
                () -> MlKem768.validate(new byte[MlKem768.PUBLIC_KEY_LENGTH - 1]));
        MlKem768.validate(MlKem768.generate(new SecureRandom()).publicKey());
    }

    @Test
    void keyGenMatchesAcvpTestCase26() throws Exception {
        MlKem768.KeyPair kp = MlKem768.generate(new Scripted());
        byte[] ek = kp.publicKey();
        assertEquals(MlKem768.PUBLIC_KEY_LENGTH, ek.length);
        String ekHex = HEX.formatHex(ek).toUpperCase();
        assertTrue(ekHex.startsWith(EK_HEAD), ekHex.substring(0, 64));
        assertTrue(ekHex.endsWith(EK_TAIL), ekHex.substring(ekHex.length() - EK_TAIL.length()));
        assertArrayEquals(H_EK, MessageDigest.getInstance("SHA3-256").digest(ek));
        byte[] encoded = kp.privateKey().getEncoded();
        byte[] tail = Arrays.copyOfRange(encoded, encoded.length - 64, encoded.length);
        assertArrayEquals(H_EK, Arrays.copyOf(tail, 32));
        assertArrayEquals(Z, Arrays.copyOfRange(tail, 32, 64));
        assertTrue(HEX.formatHex(encoded).toUpperCase().contains(DK_HEAD), "dk starts as the vector's");
    }
}
