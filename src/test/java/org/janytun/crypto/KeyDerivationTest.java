package org.janytun.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every row of {@code kdf.json}, through the per-packet derivation the data path uses. */
class KeyDerivationTest {

    @TestFactory
    List<DynamicTest> everyKdfRow() {
        JsonNode rows = Vectors.read("kdf.json").get("rows");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode row : rows) {
            String name = row.get("source_vector").asText() + " " + row.get("sending_role").asText()
                    + " seq " + row.get("seq_nr").asLong();
            tests.add(DynamicTest.dynamicTest(name, () -> checkRow(row)));
        }
        assertEquals(46, tests.size(), "kdf.json should have 46 rows");
        return tests;
    }

    private static void checkRow(JsonNode row) throws Exception {
        CtrAlgorithm kd = CtrAlgorithm.parse(row.get("kd_prf").asText()).orElseThrow();
        int encLength = row.get("enc").get("length").asInt();
        CtrAlgorithm cipher = CtrAlgorithm.ofKeyBits(encLength * 8).orElseThrow();
        Role role = Role.parse(row.get("sending_role").asText()).orElseThrow();
        int seq = (int) row.get("seq_nr").asLong();
        CryptoSuite suite = CryptoSuite.of(cipher, kd, AuthAlgorithm.SHA1, 10,
                Vectors.hex(row.get("master_key_hex")), Vectors.hex(row.get("master_salt_hex")), null);

        PacketKeys keys = new PacketKeys(encLength);
        new KeyDerivation(suite).derive(role, seq, keys);
        assertArrayEquals(Vectors.hex(row.get("enc").get("output_hex")), keys.cipherKey, "session key");
        // the null cipher needs no session salt, so the data path skips it; the PRF still gives the listed value
        byte[] salt = cipher == CtrAlgorithm.NULL ? KeyDerivation.prf(suite, role.saltLabel, seq, 14) : keys.sessionSalt;
        assertArrayEquals(Vectors.hex(row.get("salt").get("output_hex")), salt, "session salt");
        assertArrayEquals(Vectors.hex(row.get("auth").get("output_hex")), keys.authKey, "auth key");

        // the plain PRF definition (AES-CTR keystream from the counter block) agrees with the batched one
        assertEquals(row.get("enc").get("label_hex").asText(), String.format("%08x", role.encLabel));
        assertArrayEquals(Vectors.hex(row.get("auth").get("output_hex")),
                KeyDerivation.prf(suite, role.authLabel, seq, 20));
    }

    @Test
    void passphraseGivesKeyAndSalt() {
        JsonNode kdf = Vectors.read("kdf.json");
        String saltHex = kdf.get("passphrase_master_salt").get("master_salt_hex").asText();
        for (JsonNode k : kdf.get("passphrase_master_key")) {
            int bits = k.get("kd_key_bits").asInt();
            CtrAlgorithm kd = CtrAlgorithm.ofKeyBits(bits).orElseThrow();
            CryptoSuite s = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, kd, AuthAlgorithm.SHA1, 10, null, null,
                    k.get("passphrase").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(k.get("master_key_hex").asText(), Hex.format(s.masterKey()), bits + "-bit key");
            assertEquals(saltHex, Hex.format(s.masterSalt()));
        }
    }

    @Test
    void nullPrfGivesZeroKeys() {
        CryptoSuite suite = CryptoSuite.of(CtrAlgorithm.AES_CTR_256, CtrAlgorithm.NULL, AuthAlgorithm.SHA1, 10,
                null, null, null);
        PacketKeys keys = new PacketKeys(32);
        new KeyDerivation(suite).derive(Role.LEFT, 77, keys);
        assertArrayEquals(new byte[32], keys.cipherKey);
        assertArrayEquals(new byte[20], keys.authKey);
    }
}
