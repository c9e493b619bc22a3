package org.janytun.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Option post-processing (SPEC §7.3) and the key/salt/passphrase rules (SPEC §4.1). */
class CryptoSuiteTest {
    private static final byte[] PASS = "have_a_very_safe_and_productive_day".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final byte[] KEY = Hex.parse("00112233445566778899aabbccddeeff");
    private static final byte[] SALT = Hex.parse("0102030405060708090a0b0c0d0e");

    @Test
    void explicitKeyWinsOverPassphraseWhichStillGivesTheSalt() {
        CryptoSuite s = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10,
                KEY, null, PASS);
        assertEquals(Hex.format(KEY), Hex.format(s.masterKey()));
        assertEquals("8fd3dcb5bb8aff023c8d520cb5ba", Hex.format(s.masterSalt()));
        CryptoSuite t = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10,
                null, SALT, PASS);
        assertEquals("1239f82266a67cc08298799de3f5dc35", Hex.format(t.masterKey()));
        assertEquals(Hex.format(SALT), Hex.format(t.masterSalt()));
    }

    @Test
    void nullCipherAndAuthForceNullKdf() {
        CryptoSuite s = CryptoSuite.of(CtrAlgorithm.NULL, CtrAlgorithm.AES_CTR_256, AuthAlgorithm.NULL, 10,
                null, null, null);
        assertEquals(CtrAlgorithm.NULL, s.kdPrf());
        assertEquals(0, s.tagLength());
        assertTrue(s.warnings().isEmpty());
    }

    @Test
    void nullKdfWithCryptoWarns() {
        CryptoSuite s = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.NULL, AuthAlgorithm.SHA1, 10,
                null, null, null);
        assertFalse(s.warnings().isEmpty());
    }

    @Test
    void errorsNameTheInputAndNeverTheSecret() {
        SuiteException e = assertThrows(SuiteException.class, () -> CryptoSuite.of(
                CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_256, AuthAlgorithm.SHA1, 10, KEY, SALT, null));
        assertEquals(SuiteException.Input.MASTER_KEY, e.input());
        assertTrue(e.getMessage().contains("needs 256"), e.getMessage());
        assertFalse(e.getMessage().contains(Hex.format(KEY)));
        e = assertThrows(SuiteException.class, () -> CryptoSuite.of(CtrAlgorithm.AES_CTR_128,
                CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10, KEY, Hex.parse("0102"), null));
        assertEquals(SuiteException.Input.MASTER_SALT, e.input());
        e = assertThrows(SuiteException.class, () -> CryptoSuite.of(CtrAlgorithm.AES_CTR_128,
                CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10, null, null, null));
        assertEquals(SuiteException.Input.MASTER_KEY, e.input());
        e = assertThrows(SuiteException.class, () -> CryptoSuite.of(CtrAlgorithm.AES_CTR_128,
                CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, -1, KEY, SALT, null));
        assertEquals(SuiteException.Input.AUTH_TAG_LENGTH, e.input());
        assertFalse(e.getMessage().contains("-"), "the core names no option: " + e.getMessage());
        IllegalArgumentException h = assertThrows(IllegalArgumentException.class, () -> Hex.parse("00112g"));
        assertFalse(h.getMessage().contains("00112g"));
    }

    @Test
    void toStringHasNoKeys() {
        CryptoSuite s = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10,
                KEY, SALT, null);
        assertFalse(s.toString().contains(Hex.format(KEY)));
        assertFalse(s.toString().contains(Hex.format(SALT)));
        assertFalse(s.toString().contains("[B@"), "no raw array either");
    }
}
