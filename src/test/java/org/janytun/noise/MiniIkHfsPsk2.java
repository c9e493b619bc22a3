package org.janytun.noise;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KEM;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A second, deliberately naive implementation of {@code Noise_IKhfs+psk2_25519+MLKEM768_<cipher>_SHA256},
 * written straight from noise.md §5 and noise_hfs.md §4–5 as one line of operations per token, with no pattern
 * engine and its own HKDF (HMAC-SHA256 by hand, §4.3) — to cross-check {@link HandshakeState}. It shares nothing
 * with the main code but the JDK primitives. The pattern, spelled out:
 * <pre>
 *   <- s
 *   ...
 *   -> e, es, e1, s, ss
 *   <- e, ee, ekem1, se, psk
 * </pre>
 * Randomness is drawn in the order the tokens need it: initiator e (32 bytes) then the ML-KEM key pair;
 * responder e (32 bytes) then the encapsulation.
 */
final class MiniIkHfsPsk2 {
    private final boolean aesGcm;
    private byte[] ck;
    private byte[] h;
    private byte[] k;
    private long n;

    // initiator state
    private byte[] ePriv;
    private byte[] re;
    private PrivateKey kemPriv;
    private byte[] rs;

    MiniIkHfsPsk2(boolean aesGcm, byte[] prologue, byte[] responderStatic) throws Exception {
        this.aesGcm = aesGcm;
        String name = "Noise_IKhfs+psk2_25519+MLKEM768_" + (aesGcm ? "AESGCM" : "ChaChaPoly") + "_SHA256";
        h = sha(name.getBytes(StandardCharsets.US_ASCII)); // longer than 32 bytes: hashed
        ck = h.clone();
        h = sha(h, prologue);
        h = sha(h, responderStatic);
    }

    /** The initiator's first message. */
    byte[] initiatorWrite(byte[] sPriv, byte[] responderStatic, byte[] payload, SecureRandom random) throws Exception {
        rs = responderStatic;
        ePriv = new byte[32];
        random.nextBytes(ePriv);
        byte[] ePub = pub(ePriv);
        h = sha(h, ePub);
        mixKey(ePub);                              // e, psk mode
        mixKey(dh(ePriv, rs));                     // es
        KeyPairGenerator g = KeyPairGenerator.getInstance("ML-KEM-768");
        g.initialize(NamedParameterSpec.ML_KEM_768, random);
        java.security.KeyPair kem = g.generateKeyPair();
        kemPriv = kem.getPrivate();
        byte[] der = kem.getPublic().getEncoded();
        byte[] c1 = encryptAndHash(Arrays.copyOfRange(der, der.length - 1184, der.length)); // e1
        byte[] c2 = encryptAndHash(pub(sPriv));   // s
        mixKey(dh(sPriv, rs));                    // ss
        byte[] c3 = encryptAndHash(payload);
        return concat(ePub, c1, c2, c3);
    }

    /** The responder reads the first message: {payload, initiator static, initiator e, kem public}. */
    byte[][] responderRead(byte[] sPriv, byte[] msg) throws Exception {
        byte[] ie = Arrays.copyOfRange(msg, 0, 32);
        h = sha(h, ie);
        mixKey(ie);
        mixKey(dh(sPriv, ie));                                     // es
        byte[] kemPub = decryptAndHash(Arrays.copyOfRange(msg, 32, 32 + 1200));
        byte[] is = decryptAndHash(Arrays.copyOfRange(msg, 1232, 1232 + 48));
        mixKey(dh(sPriv, is));                                     // ss
        byte[] payload = decryptAndHash(Arrays.copyOfRange(msg, 1280, msg.length));
        return new byte[][] {payload, is, ie, kemPub};
    }

    /** The responder's answer to {@link #responderRead}'s result. */
    byte[] responderWrite(byte[] initiatorStatic, byte[] initiatorE, byte[] kemPub, byte[] psk, byte[] payload,
                          SecureRandom random) throws Exception {
        byte[] e = new byte[32];
        random.nextBytes(e);
        byte[] ePub = pub(e);
        h = sha(h, ePub);
        mixKey(ePub);                                              // e, psk mode
        mixKey(dh(e, initiatorE));                                 // ee
        var kemKey = KeyFactory.getInstance("ML-KEM-768").generatePublic(
                new X509EncodedKeySpec(concat(Arrays.copyOf(rawPrefix(), 22), kemPub)));
        KEM.Encapsulated enc = KEM.getInstance("ML-KEM").newEncapsulator(kemKey, random).encapsulate();
        byte[] c1 = encryptAndHash(enc.encapsulation());           // ekem1
        mixKey(enc.key().getEncoded());
        mixKey(dh(e, initiatorStatic));                            // se
        mixKeyAndHash(psk);                                        // psk
        byte[] c2 = encryptAndHash(payload);
        return concat(ePub, c1, c2);
    }

    /** The initiator reads the answer. */
    byte[] initiatorRead(byte[] sPriv, byte[] psk, byte[] msg) throws Exception {
        re = Arrays.copyOfRange(msg, 0, 32);
        h = sha(h, re);
        mixKey(re);
        mixKey(dh(ePriv, re));                                     // ee
        byte[] ct = decryptAndHash(Arrays.copyOfRange(msg, 32, 32 + 1104));
        mixKey(KEM.getInstance("ML-KEM").newDecapsulator(kemPriv).decapsulate(ct).getEncoded()); // ekem1
        mixKey(dh(sPriv, re));                                     // se
        mixKeyAndHash(psk);
        return decryptAndHash(Arrays.copyOfRange(msg, 1136, msg.length));
    }

    byte[] hash() {
        return h.clone();
    }

    /** Split(): {initiator→responder, responder→initiator}. */
    byte[][] split() throws Exception {
        byte[][] o = hkdf(ck, new byte[0], 2);
        return new byte[][] {o[0], o[1]};
    }

    private void mixKey(byte[] ikm) throws Exception {
        byte[][] o = hkdf(ck, ikm, 2);
        ck = o[0];
        k = o[1];
        n = 0;
    }

    private void mixKeyAndHash(byte[] ikm) throws Exception {
        byte[][] o = hkdf(ck, ikm, 3);
        ck = o[0];
        h = sha(h, o[1]);
        k = o[2];
        n = 0;
    }

    private byte[] encryptAndHash(byte[] p) throws Exception {
        byte[] c = aead(Cipher.ENCRYPT_MODE, p);
        h = sha(h, c);
        return c;
    }

    private byte[] decryptAndHash(byte[] c) throws Exception {
        byte[] p = aead(Cipher.DECRYPT_MODE, c);
        h = sha(h, c);
        return p;
    }

    private byte[] aead(int mode, byte[] in) throws Exception {
        byte[] nonce = new byte[12];
        for (int i = 0; i < 8; i++) {
            nonce[aesGcm ? 11 - i : 4 + i] = (byte) (n >>> (8 * i));
        }
        n++;
        Cipher c;
        if (aesGcm) {
            c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(k, "AES"), new GCMParameterSpec(128, nonce));
        } else {
            c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(mode, new SecretKeySpec(k, "ChaCha20"), new IvParameterSpec(nonce));
        }
        c.updateAAD(h);
        return c.doFinal(in);
    }

    /** §4.3 by hand: temp = HMAC(ck, ikm); out1 = HMAC(temp, 0x01); out_i = HMAC(temp, out_{i-1} ‖ i). */
    static byte[][] hkdf(byte[] ck, byte[] ikm, int count) throws Exception {
        byte[] temp = hmac(ck, ikm);
        byte[][] out = new byte[count][];
        byte[] prev = new byte[0];
        for (int i = 0; i < count; i++) {
            prev = hmac(temp, concat(prev, new byte[] {(byte) (i + 1)}));
            out[i] = prev;
        }
        return out;
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(key, "HmacSHA256"));
        return m.doFinal(data);
    }

    static byte[] pub(byte[] priv) throws Exception {
        byte[] nine = new byte[32];
        nine[0] = 9;
        return dh(priv, nine);
    }

    static byte[] dh(byte[] priv, byte[] pubLe) throws Exception {
        KeyFactory kf = KeyFactory.getInstance("X25519");
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = pubLe[31 - i];
        }
        be[0] &= 0x7f;
        KeyAgreement ka = KeyAgreement.getInstance("X25519");
        ka.init(kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, priv)));
        ka.doPhase(kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be))), true);
        return ka.generateSecret();
    }

    private static byte[] rawPrefix() throws Exception {
        return KeyPairGenerator.getInstance("ML-KEM-768").generateKeyPair().getPublic().getEncoded();
    }

    private static byte[] sha(byte[]... parts) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            d.update(p);
        }
        return d.digest();
    }

    static byte[] concat(byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) {
            len += p.length;
        }
        byte[] out = new byte[len];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
