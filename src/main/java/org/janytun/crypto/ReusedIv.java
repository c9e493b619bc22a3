package org.janytun.crypto;

import javax.crypto.spec.IvParameterSpec;

/**
 * An {@link IvParameterSpec} whose {@link #getIV} returns the live array rather than a copy (two copies per packet
 * otherwise): the AES-CTR counter block of the legacy suite, the ChaCha20-Poly1305 nonce of the AEAD suite. The
 * JCE may keep a reference to it until its next init; each user says why that is harmless for it.
 */
final class ReusedIv extends IvParameterSpec {
    private final byte[] block;

    ReusedIv(byte[] block) {
        super(block);
        this.block = block;
    }

    @Override
    public byte[] getIV() {
        return block;
    }
}
