package org.janytun.noise;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Noise cipher functions (§12.3, §12.4): 256-bit key, 16-byte tag, a 12-byte nonce made of 32 zero bits and
 * the 64-bit counter {@code n}, big-endian for AESGCM and little-endian for ChaChaPoly.
 */
public enum NoiseCipher {
    AESGCM("AESGCM", "AES/GCM/NoPadding", "AES", true),
    CHACHAPOLY("ChaChaPoly", "ChaCha20-Poly1305", "ChaCha20", false);

    public static final int KEY_LENGTH = 32;
    public static final int TAG_LENGTH = 16;

    private final String noiseName;
    private final String transformation;
    private final String keyAlgorithm;
    private final boolean bigEndian;

    NoiseCipher(String noiseName, String transformation, String keyAlgorithm, boolean bigEndian) {
        this.noiseName = noiseName;
        this.transformation = transformation;
        this.keyAlgorithm = keyAlgorithm;
        this.bigEndian = bigEndian;
    }

    /** The name in a Noise protocol name: {@code AESGCM} or {@code ChaChaPoly}. */
    public String noiseName() {
        return noiseName;
    }

    public static NoiseCipher byNoiseName(String name) {
        for (NoiseCipher c : values()) {
            if (c.noiseName.equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown Noise cipher " + name);
    }

    /** The 12-byte nonce for counter {@code n}. */
    public byte[] nonce(long n) {
        byte[] iv = new byte[12];
        for (int i = 0; i < 8; i++) {
            int shift = bigEndian ? 56 - 8 * i : 8 * i;
            iv[4 + i] = (byte) (n >>> shift);
        }
        return iv;
    }

    /** ENCRYPT(k, n, ad, plaintext): ciphertext with the tag appended. */
    public byte[] encrypt(byte[] k, long n, byte[] ad, byte[] plaintext) {
        try {
            Cipher c = init(Cipher.ENCRYPT_MODE, k, n);
            c.updateAAD(ad);
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " failed", e);
        }
    }

    /** DECRYPT(k, n, ad, ciphertext), or {@link NoiseException} if it does not authenticate. */
    public byte[] decrypt(byte[] k, long n, byte[] ad, byte[] ciphertext) throws NoiseException {
        if (ciphertext.length < TAG_LENGTH) {
            throw new NoiseException("ciphertext shorter than its tag");
        }
        try {
            Cipher c = init(Cipher.DECRYPT_MODE, k, n);
            c.updateAAD(ad);
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw new NoiseException("authentication failed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " failed", e);
        }
    }

    private Cipher init(int mode, byte[] k, long n) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance(transformation);
        SecretKeySpec key = new SecretKeySpec(k, keyAlgorithm);
        if (bigEndian) {
            c.init(mode, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce(n)));
        } else {
            c.init(mode, key, new IvParameterSpec(nonce(n)));
        }
        return c;
    }
}
