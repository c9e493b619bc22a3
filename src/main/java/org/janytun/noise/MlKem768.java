package org.janytun.noise;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import javax.crypto.DecapsulateException;
import javax.crypto.KEM;
import javax.crypto.SecretKey;

/**
 * The KEM functions of the {@code hfs} modifier (noise_hfs.md §3) for ML-KEM-768 (FIPS 203) over the JDK's
 * {@code KEM}: public keys are the raw 1184-byte encapsulation keys (the JDK's X.509 encoding less its fixed
 * prefix), ciphertexts 1088 bytes, outputs 32 bytes. Randomness comes from the caller's {@link SecureRandom}
 * (FIPS 203's d and z for a key pair, m for an encapsulation), so a seeded source gives pinned vectors.
 */
public final class MlKem768 {
    public static final int PUBLIC_KEY_LENGTH = 1184;
    public static final int CIPHERTEXT_LENGTH = 1088;
    public static final int OUTPUT_LENGTH = 32;
    private static final String ALGORITHM = "ML-KEM-768";
    /** The DER prefix of the JDK's X.509 encoding of an ML-KEM-768 public key (SubjectPublicKeyInfo header). */
    private static final byte[] X509_PREFIX = x509Prefix();

    private MlKem768() {}

    /** An ephemeral KEM key pair: the raw public key and the JDK's private key object. */
    public record KeyPair(byte[] publicKey, PrivateKey privateKey) {
        @Override
        public String toString() {
            return "ML-KEM-768 key pair";
        }
    }

    /** The ciphertext to send and the shared output (the caller wipes it). */
    public record Encapsulated(byte[] ciphertext, byte[] output) {}

    /** GENERATE_KEM_KEYPAIR(). */
    public static KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
            g.initialize(NamedParameterSpec.ML_KEM_768, random);
            java.security.KeyPair kp = g.generateKeyPair();
            return new KeyPair(raw(kp.getPublic()), kp.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ML-KEM-768 is missing from this JDK", e);
        }
    }

    /**
     * Checks a received encapsulation key as FIPS 203 §7.2 requires (the JDK's encapsulator does the modulus
     * check), so that a peer's bad key fails the message that carried it, not the answer to it.
     */
    public static void validate(byte[] publicKey) throws NoiseException {
        PublicKey pub = publicKey(publicKey);
        try {
            KEM.getInstance("ML-KEM").newEncapsulator(pub);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new NoiseException("ML-KEM-768 encapsulation key rejected");
        }
    }

    /** GENERATE_KEM_CIPHERTEXT(public_key); {@link NoiseException} if the key is not a valid encapsulation key. */
    public static Encapsulated encapsulate(byte[] publicKey, SecureRandom random) throws NoiseException {
        PublicKey pub = publicKey(publicKey);
        try {
            KEM.Encapsulated e = KEM.getInstance("ML-KEM").newEncapsulator(pub, random).encapsulate();
            return new Encapsulated(e.encapsulation(), e.key().getEncoded());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new NoiseException("ML-KEM-768 encapsulation key rejected");
        }
    }

    /** KEM(key_pair, ciphertext). A wrong ciphertext of the right length yields an unrelated output (FIPS 203's implicit rejection). */
    public static byte[] decapsulate(KeyPair keyPair, byte[] ciphertext) throws NoiseException {
        if (ciphertext.length != CIPHERTEXT_LENGTH) {
            throw new NoiseException("ML-KEM-768 ciphertext of " + ciphertext.length + " bytes");
        }
        try {
            SecretKey k = KEM.getInstance("ML-KEM").newDecapsulator(keyPair.privateKey()).decapsulate(ciphertext);
            return k.getEncoded();
        } catch (DecapsulateException e) {
            throw new NoiseException("ML-KEM-768 decapsulation failed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ML-KEM-768 failed", e);
        }
    }

    static PublicKey publicKey(byte[] raw) throws NoiseException {
        if (raw.length != PUBLIC_KEY_LENGTH) {
            throw new NoiseException("ML-KEM-768 public key of " + raw.length + " bytes");
        }
        byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + raw.length);
        System.arraycopy(raw, 0, der, X509_PREFIX.length, raw.length);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new NoiseException("ML-KEM-768 public key rejected");
        }
    }

    private static byte[] raw(PublicKey key) {
        byte[] der = key.getEncoded();
        return Arrays.copyOfRange(der, der.length - PUBLIC_KEY_LENGTH, der.length);
    }

    private static byte[] x509Prefix() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
            byte[] der = g.generateKeyPair().getPublic().getEncoded();
            return Arrays.copyOf(der, der.length - PUBLIC_KEY_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ML-KEM-768 is missing from this JDK", e);
        }
    }
}
