package org.janytun.noise;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/** The Noise DH functions for 25519 (§12.1) over the JDK's XDH, keys as raw 32-byte strings (RFC 7748). */
public final class X25519 {
    public static final int KEY_LENGTH = 32;
    private static final byte[] BASE_POINT = new byte[KEY_LENGTH];

    static {
        BASE_POINT[0] = 9;
    }

    private X25519() {}

    /** A key pair; {@link #wipe} clears the private half. {@code toString} shows the public half only. */
    public record KeyPair(byte[] privateKey, byte[] publicKey) {
        public void wipe() {
            Secrets.wipe(privateKey);
        }

        @Override
        public String toString() {
            return "X25519 key pair, public " + java.util.HexFormat.of().formatHex(publicKey);
        }
    }

    /** GENERATE_KEYPAIR(): 32 random bytes as the private key (the JDK clamps it on use). */
    public static KeyPair generate(SecureRandom random) {
        byte[] k = new byte[KEY_LENGTH];
        random.nextBytes(k);
        return fromPrivate(k);
    }

    /** The key pair of a given private key (the array is kept, not copied). */
    public static KeyPair fromPrivate(byte[] privateKey) {
        if (privateKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an X25519 private key has 32 bytes, not " + privateKey.length);
        }
        try {
            return new KeyPair(privateKey, dh(privateKey, BASE_POINT));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("X25519 refused the base point", e);
        }
    }

    /** DH(private, public): 32 bytes, or {@link InvalidKeyException} for a public key of small order. */
    public static byte[] dh(byte[] privateKey, byte[] publicKey) throws InvalidKeyException {
        if (publicKey.length != KEY_LENGTH) {
            throw new InvalidKeyException("an X25519 public key has 32 bytes, not " + publicKey.length);
        }
        try {
            KeyFactory kf = KeyFactory.getInstance("XDH");
            var priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey));
            var pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, u(publicKey)));
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(priv);
            ka.doPhase(pub, true);
            return ka.generateSecret();
        } catch (InvalidKeyException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            // the JDK refuses an all-zero shared secret (a small-order point) with an exception of its own
            throw new InvalidKeyException("X25519 failed: " + e.getMessage());
        }
    }

    /** The u-coordinate of a little-endian encoding, top bit masked (RFC 7748 §5). */
    private static BigInteger u(byte[] le) {
        byte[] be = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH; i++) {
            be[i] = le[KEY_LENGTH - 1 - i];
        }
        be[0] &= 0x7f;
        return new BigInteger(1, be);
    }
}
