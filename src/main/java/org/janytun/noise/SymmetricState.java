package org.janytun.noise;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Noise §5.2 with SHA-256: the chaining key {@code ck}, the handshake hash {@code h} and a {@link CipherState}. */
public final class SymmetricState {
    private final CipherState cipherState;
    private byte[] ck;
    private byte[] h;

    /** InitializeSymmetric(protocol_name). */
    public SymmetricState(NoiseCipher cipher, String protocolName) {
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        h = name.length <= Hkdf.HASH_LENGTH ? Arrays.copyOf(name, Hkdf.HASH_LENGTH) : Hkdf.hash(name);
        ck = h.clone();
        cipherState = new CipherState(cipher);
    }

    public void mixKey(byte[] ikm) {
        byte[][] out = Hkdf.noise(ck, ikm, 2);
        Secrets.wipe(ck);
        ck = out[0];
        cipherState.initializeKey(out[1]);
        Secrets.wipe(out[1]);
    }

    public void mixHash(byte[] data) {
        h = Hkdf.hash(h, data);
    }

    public void mixKeyAndHash(byte[] ikm) {
        byte[][] out = Hkdf.noise(ck, ikm, 3);
        Secrets.wipe(ck);
        ck = out[0];
        mixHash(out[1]);
        cipherState.initializeKey(out[2]);
        Secrets.wipe(out[1]);
        Secrets.wipe(out[2]);
    }

    public boolean hasKey() {
        return cipherState.hasKey();
    }

    public byte[] handshakeHash() {
        return h.clone();
    }

    public byte[] encryptAndHash(byte[] plaintext) {
        byte[] ciphertext = cipherState.encryptWithAd(h, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    public byte[] decryptAndHash(byte[] ciphertext) throws NoiseException {
        byte[] plaintext = cipherState.decryptWithAd(h, ciphertext);
        mixHash(ciphertext);
        return plaintext;
    }

    /**
     * Split(): the two transport cipher states, initiator→responder first. The raw 32-byte outputs are what a
     * data suite derives its keys from ({@link #splitKeys}); this one is for Noise transport messages.
     */
    public CipherState[] split() {
        byte[][] keys = splitKeys();
        CipherState c1 = new CipherState(cipherState.cipher());
        CipherState c2 = new CipherState(cipherState.cipher());
        c1.initializeKey(keys[0]);
        c2.initializeKey(keys[1]);
        Secrets.wipe(keys[0]);
        Secrets.wipe(keys[1]);
        return new CipherState[] {c1, c2};
    }

    /** Split()'s two 32-byte keys (initiator→responder, responder→initiator); wipes {@code ck}. The caller wipes them. */
    public byte[][] splitKeys() {
        byte[][] out = Hkdf.noise(ck, new byte[0], 2);
        wipe();
        return out;
    }

    /** Wipes the chaining key and the handshake cipher key; {@code h} is public and stays for channel binding. */
    public void wipe() {
        Secrets.wipe(ck);
        cipherState.wipe();
    }
}
