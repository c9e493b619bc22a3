package org.janytun.keyx;

import java.nio.charset.StandardCharsets;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.crypto.AeadSuite;
import org.janytun.noise.Hkdf;
import org.janytun.noise.NoiseCipher;
import org.janytun.noise.Secrets;

/**
 * From a completed handshake to the data suite (docs/SATP-SESSIONS.md §5): for each direction, the key and the iv
 * are HKDF-Expand(split key, label) with distinct labels, so no Noise key is used directly as a data key. In the
 * suite, {@link org.janytun.crypto.Role#LEFT} is the <em>initiator</em> of this handshake, whatever the
 * configured {@code -e} roles: each key pair has its own direction labels.
 */
public final class SessionKeys {
    private static final byte[] KEY_LABEL = "SATP session key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] IV_LABEL = "SATP session iv".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REKEY_LABEL = "SATP session rekey".getBytes(StandardCharsets.US_ASCII);

    private SessionKeys() {}

    /** The data algorithm that goes with a handshake cipher: one configured suite, nothing negotiated. */
    public static AeadAlgorithm dataAlgorithm(NoiseCipher cipher) {
        return cipher == NoiseCipher.AESGCM ? AeadAlgorithm.AES_256_GCM : AeadAlgorithm.CHACHA20_POLY1305;
    }

    public static NoiseCipher handshakeCipher(AeadAlgorithm algorithm) {
        return algorithm == AeadAlgorithm.AES_256_GCM ? NoiseCipher.AESGCM : NoiseCipher.CHACHAPOLY;
    }

    /** The suite from Split()'s keys (initiator→responder first); wipes them and every intermediate. */
    public static AeadSuite derive(AeadAlgorithm algorithm, byte[][] split) {
        KeyMaterial m = material(algorithm, split);
        try {
            return m.suite();
        } finally {
            m.wipe();
        }
    }

    /** All key material of the pair from Split()'s keys, which it wipes; the caller wipes the result. */
    public static KeyMaterial material(AeadAlgorithm algorithm, byte[][] split) {
        try {
            return new KeyMaterial(algorithm,
                    Hkdf.expand(split[0], KEY_LABEL, AeadAlgorithm.KEY_LENGTH),
                    Hkdf.expand(split[0], IV_LABEL, AeadAlgorithm.NONCE_LENGTH),
                    Hkdf.expand(split[1], KEY_LABEL, AeadAlgorithm.KEY_LENGTH),
                    Hkdf.expand(split[1], IV_LABEL, AeadAlgorithm.NONCE_LENGTH),
                    Hkdf.expand(split[1], REKEY_LABEL, 32));
        } finally {
            Secrets.wipe(split[0]);
            Secrets.wipe(split[1]);
        }
    }
}
