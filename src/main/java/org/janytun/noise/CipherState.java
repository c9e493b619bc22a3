package org.janytun.noise;

import java.util.Arrays;

/** Noise §5.1: a key {@code k} (or none) and the nonce counter {@code n}. */
public final class CipherState {
    /** 2^64 − 1 is reserved (§5.1): the counter is unsigned and stops one before it. */
    private static final long MAX_NONCE = -1L;

    private final NoiseCipher cipher;
    private byte[] k;
    private long n;

    public CipherState(NoiseCipher cipher) {
        this.cipher = cipher;
    }

    public NoiseCipher cipher() {
        return cipher;
    }

    /** InitializeKey(key): a copy of {@code key} (32 bytes), nonce 0; null for no key. */
    public void initializeKey(byte[] key) {
        Secrets.wipe(k);
        k = key == null ? null : Arrays.copyOf(key, NoiseCipher.KEY_LENGTH);
        n = 0;
    }

    public boolean hasKey() {
        return k != null;
    }

    public long nonce() {
        return n;
    }

    public void setNonce(long nonce) {
        n = nonce;
    }

    /** EncryptWithAd: the plaintext itself if there is no key. */
    public byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
        if (k == null) {
            return plaintext.clone();
        }
        checkNonce();
        byte[] out = cipher.encrypt(k, n, ad, plaintext);
        n++;
        return out;
    }

    /** DecryptWithAd: the ciphertext itself if there is no key; on failure {@code n} is not advanced. */
    public byte[] decryptWithAd(byte[] ad, byte[] ciphertext) throws NoiseException {
        if (k == null) {
            return ciphertext.clone();
        }
        checkNonce();
        byte[] out = cipher.decrypt(k, n, ad, ciphertext);
        n++;
        return out;
    }

    /** Rekey() (§4.2, §11.3): k = the first 32 bytes of ENCRYPT(k, 2^64−1, empty, 32 zero bytes). */
    public void rekey() {
        byte[] next = Arrays.copyOf(cipher.encrypt(k, MAX_NONCE, new byte[0], new byte[NoiseCipher.KEY_LENGTH]),
                NoiseCipher.KEY_LENGTH);
        Secrets.wipe(k);
        k = next;
    }

    /** A copy of the key, for a data suite that takes over from here; the caller wipes it. */
    public byte[] keyCopy() {
        return k == null ? null : k.clone();
    }

    public void wipe() {
        Secrets.wipe(k);
        k = null;
    }

    private void checkNonce() {
        if (n == MAX_NONCE) {
            throw new IllegalStateException("nonce exhausted: re-key");
        }
    }
}
