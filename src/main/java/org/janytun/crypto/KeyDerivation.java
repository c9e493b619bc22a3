package org.janytun.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.janytun.wire.SatpLayout;

/**
 * The kd-prf (SPEC §5): derives the session key, session salt and auth key of one packet from its sequence number
 * and the labels of the sending role. Not thread-safe: one instance per thread.
 *
 * <p>The AES-CTR PRF is AES-CTR keystream under the master key from a counter block built of salt, label and
 * sequence number. All blocks a packet needs (at most 5: key 1–2, salt 1, auth 2) are encrypted in one ECB call
 * under a master key whose schedule is set up once, instead of three CTR inits per packet.
 */
final class KeyDerivation {
    private static final int BLOCK = 16;

    private final int cipherKeyBytes;
    private final boolean deriveAuth;
    private final byte[] masterSalt = new byte[CryptoSuite.SALT_LENGTH];
    private boolean nullPrf;
    private Cipher ecb;
    /** The master key as the JCE reads it, by key length (16, 24, 32 bytes): no key object per {@link #rekey}. */
    private final byte[][] masterKeys = new byte[3][];
    private final ReusedKey[] masterKeyObjects = new ReusedKey[3];
    private final byte[] blocks = new byte[5 * BLOCK];
    private final byte[] stream = new byte[5 * BLOCK];

    KeyDerivation(CryptoSuite suite) {
        this.cipherKeyBytes = suite.cipher().keyBytes();
        this.deriveAuth = suite.auth() != AuthAlgorithm.NULL;
        rekey(suite);
    }

    /** Derives from now on under {@code suite}'s master key and salt (same cipher and auth algorithm). */
    void rekey(CryptoSuite suite) {
        nullPrf = suite.kdPrf() == CtrAlgorithm.NULL;
        if (nullPrf) {
            return;
        }
        byte[] key = suite.masterKeyView();
        System.arraycopy(suite.masterSaltView(), 0, masterSalt, 0, CryptoSuite.SALT_LENGTH);
        int k = (key.length >> 3) - 2; // 16, 24, 32 bytes → 0, 1, 2
        if (masterKeyObjects[k] == null) {
            masterKeys[k] = new byte[key.length];
            masterKeyObjects[k] = new ReusedKey(masterKeys[k], "AES");
        }
        System.arraycopy(key, 0, masterKeys[k], 0, key.length);
        try {
            if (ecb == null) {
                ecb = Cipher.getInstance("AES/ECB/NoPadding");
            }
            ecb.init(Cipher.ENCRYPT_MODE, masterKeyObjects[k]);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is missing from this JDK", e);
        }
    }

    /** Fills {@code out} with the keys of the packet with sequence number {@code seq} sent by {@code sender}. */
    void derive(Role sender, int seq, PacketKeys out) {
        if (nullPrf) {
            // all zero, as the null PRF says (they may hold another connection's keys: the engine is per thread)
            java.util.Arrays.fill(out.cipherKey, (byte) 0);
            java.util.Arrays.fill(out.sessionSalt, (byte) 0);
            java.util.Arrays.fill(out.authKey, (byte) 0);
            return;
        }
        int n = 0;
        int encBlocks = (cipherKeyBytes + BLOCK - 1) / BLOCK;
        for (int i = 0; i < encBlocks; i++) {
            counterBlock(n++, sender.encLabel, seq, i);
        }
        int saltBlock = -1;
        if (cipherKeyBytes > 0) {
            saltBlock = n;
            counterBlock(n++, sender.saltLabel, seq, 0);
        }
        int authBlock = -1;
        if (deriveAuth) {
            authBlock = n;
            counterBlock(n++, sender.authLabel, seq, 0);
            counterBlock(n++, sender.authLabel, seq, 1);
        }
        try {
            ecb.doFinal(blocks, 0, n * BLOCK, stream, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-ECB failed on whole blocks", e);
        }
        System.arraycopy(stream, 0, out.cipherKey, 0, cipherKeyBytes);
        if (saltBlock >= 0) {
            System.arraycopy(stream, saltBlock * BLOCK, out.sessionSalt, 0, CryptoSuite.SALT_LENGTH);
        }
        if (authBlock >= 0) {
            System.arraycopy(stream, authBlock * BLOCK, out.authKey, 0, PacketKeys.AUTH_KEY_LENGTH);
        }
    }

    /** Block {@code index} of the PRF for one label: salt ‖ 0000, label XORed at 6..9, seq at 10..13, plus index. */
    private void counterBlock(int slot, int label, int seq, int index) {
        int o = slot * BLOCK;
        System.arraycopy(masterSalt, 0, blocks, o, CryptoSuite.SALT_LENGTH);
        blocks[o + 14] = 0;
        // bytes 14..15 start at zero, so adding a small block index can never carry into byte 13
        blocks[o + 15] = (byte) index;
        SatpLayout.xorInt(blocks, o + 6, label);
        SatpLayout.xorInt(blocks, o + 10, seq);
    }

    /** For tests: the PRF output for one label, as {@code kdf.json} lists it. */
    static byte[] prf(CryptoSuite suite, int label, int seq, int length) throws GeneralSecurityException {
        Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
        byte[] block = new byte[BLOCK];
        System.arraycopy(suite.masterSalt(), 0, block, 0, CryptoSuite.SALT_LENGTH);
        SatpLayout.xorInt(block, 6, label);
        SatpLayout.xorInt(block, 10, seq);
        ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(suite.masterKey(), "AES"),
                new javax.crypto.spec.IvParameterSpec(block));
        return ctr.doFinal(new byte[length]);
    }
}
