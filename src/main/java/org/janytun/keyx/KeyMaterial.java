package org.janytun.keyx;

import org.janytun.crypto.AeadAlgorithm;
import org.janytun.crypto.AeadSuite;
import org.janytun.noise.Secrets;

/**
 * The secrets of one session key pair (docs/SATP-SESSIONS.md §5.1, §7): the data keys and ivs of both directions
 * and the key of rekey-requests. It is what a {@link SessionRecord} carries to the other nodes of a cluster; the
 * data path only ever sees the {@link AeadSuite} made from it. {@code toString} shows no secret.
 */
public record KeyMaterial(AeadAlgorithm algorithm, byte[] keyI2r, byte[] ivI2r, byte[] keyR2i, byte[] ivR2i,
                          byte[] rekeyKey) {

    public KeyMaterial {
        check(keyI2r, AeadAlgorithm.KEY_LENGTH);
        check(ivI2r, AeadAlgorithm.NONCE_LENGTH);
        check(keyR2i, AeadAlgorithm.KEY_LENGTH);
        check(ivR2i, AeadAlgorithm.NONCE_LENGTH);
        check(rekeyKey, 32);
    }

    private static void check(byte[] b, int length) {
        if (b.length != length) {
            throw new IllegalArgumentException("key material of the wrong length");
        }
    }

    /** The data suite: {@link org.janytun.crypto.Role#LEFT} is the initiator of the handshake. */
    public AeadSuite suite() {
        return new AeadSuite(algorithm, keyI2r, ivI2r, keyR2i, ivR2i);
    }

    public void wipe() {
        for (byte[] b : new byte[][] {keyI2r, ivI2r, keyR2i, ivR2i, rekeyKey}) {
            Secrets.wipe(b);
        }
    }

    @Override
    public String toString() {
        return "key material for " + algorithm.optionName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyMaterial k && k.algorithm == algorithm && Secrets.equal(k.keyI2r, keyI2r)
                && Secrets.equal(k.ivI2r, ivI2r) && Secrets.equal(k.keyR2i, keyR2i) && Secrets.equal(k.ivR2i, ivR2i)
                && Secrets.equal(k.rekeyKey, rekeyKey);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode();
    }
}
