package org.janytun.crypto;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA1 (RFC 2104) over two reused SHA-1 digests. SATP changes the MAC key with every packet, and
 * {@code Mac.init} allocates a key object and pads each time; building the HMAC on {@link MessageDigest} keeps
 * the packet path allocation-free while the JDK's SHA-1 intrinsic still does the work.
 */
final class HmacSha1 {
    static final int LENGTH = 20;
    private static final int BLOCK = 64;

    private final MessageDigest inner;
    private final MessageDigest outer;
    private final byte[] pad = new byte[BLOCK];
    private final byte[] innerHash = new byte[LENGTH];

    HmacSha1() {
        try {
            inner = MessageDigest.getInstance("SHA-1");
            outer = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JDK", e);
        }
    }

    /** MAC of {@code data[off, off+len)} under a key of at most 64 bytes, into {@code out[0, 20)}. */
    void mac(byte[] key, byte[] data, int off, int len, byte[] out) {
        try {
            keyPad(key, (byte) 0x36);
            inner.update(pad, 0, BLOCK);
            inner.update(data, off, len);
            inner.digest(innerHash, 0, LENGTH);
            keyPad(key, (byte) 0x5c);
            outer.update(pad, 0, BLOCK);
            outer.update(innerHash, 0, LENGTH);
            outer.digest(out, 0, LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-1 output buffer too small", e);
        }
    }

    private void keyPad(byte[] key, byte value) {
        int i = 0;
        for (; i < key.length; i++) {
            pad[i] = (byte) (key[i] ^ value);
        }
        for (; i < BLOCK; i++) {
            pad[i] = value;
        }
    }
}
