package org.janytun.crypto;

import javax.crypto.SecretKey;

/**
 * A key the JCE can read without a new {@code SecretKeySpec} (two more copies of the key) per packet.
 * {@link #getEncoded} hands out one of two copies in turn, each refreshed from the live key on the call: the JCE
 * zeroes a key array it is done with — AES after building its schedule, ChaCha20 only at its next init — and must
 * never find the copy it is about to use zeroed.
 */
final class ReusedKey implements SecretKey {
    private byte[] key;
    private final byte[][] encoded;
    private final String algorithm;
    private int turn;

    /** {@code key} is kept, not copied: its current bytes are handed out. */
    ReusedKey(byte[] key, String algorithm) {
        this.key = key;
        this.encoded = new byte[2][key.length];
        this.algorithm = algorithm;
    }

    /** Hands out {@code key}'s bytes from now on (same length): an engine re-bound to another connection. */
    void source(byte[] key) {
        if (key.length != this.key.length) {
            throw new IllegalArgumentException("a key of " + key.length + " bytes for " + this.key.length);
        }
        this.key = key;
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public byte[] getEncoded() {
        turn ^= 1;
        System.arraycopy(key, 0, encoded[turn], 0, key.length);
        return encoded[turn];
    }
}
