package org.janytun.noise;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.KDF;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SHA-256, and HKDF with HMAC-SHA256 through {@code javax.crypto.KDF}. Noise's HKDF(ck, ikm, n) (§4.3) is RFC 5869 with
 * {@code ck} as the salt, empty info and n·HASHLEN bytes of output, so Extract-then-Expand is exactly it.
 */
public final class Hkdf {
    public static final int HASH_LENGTH = 32;

    private Hkdf() {}

    /** SHA-256 of the concatenated parts (Noise's HASH). */
    public static byte[] hash(byte[]... parts) {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
            }
            return d.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Noise HKDF: {@code outputs} (2 or 3) blocks of 32 bytes. */
    public static byte[][] noise(byte[] chainingKey, byte[] ikm, int outputs) {
        byte[] okm = derive(HKDFParameterSpec.ofExtract().addSalt(chainingKey).addIKM(ikm)
                .thenExpand(new byte[0], outputs * HASH_LENGTH));
        byte[][] out = new byte[outputs][];
        for (int i = 0; i < outputs; i++) {
            out[i] = Arrays.copyOfRange(okm, i * HASH_LENGTH, (i + 1) * HASH_LENGTH);
        }
        Secrets.wipe(okm);
        return out;
    }

    /** RFC 5869 Expand only, from a pseudorandom key of at least 32 bytes. */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        return derive(HKDFParameterSpec.expandOnly(new SecretKeySpec(prk, "HKDF-PRK"), info, length));
    }

    private static byte[] derive(java.security.spec.AlgorithmParameterSpec spec) {
        try {
            return KDF.getInstance("HKDF-SHA256").deriveData(spec);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 failed", e);
        }
    }
}
