package org.janytun.config;

import java.util.Objects;
import java.util.Optional;
import org.janytun.crypto.AeadAlgorithm;

/**
 * The options of a key-exchanged SATP session (docs/SATP-SESSIONS.md §11), checked and with the key files read:
 * {@code --private-key FILE}, {@code --peer-public-key KEY}, {@code --psk-file FILE}, {@code --suite},
 * {@code --no-pq}, and {@code --rekey-after SECONDS} (for tests and for operators who want shorter key lives).
 *
 * @param privateKey    this host's X25519 private key (32 bytes)
 * @param peerPublicKey the peer's X25519 public key (32 bytes, not secret)
 * @param psk           the pre-shared key of this peer (32 bytes), empty for none
 * @param suite         the data suite and the handshake's cipher
 * @param postQuantum   the hybrid handshake (ML-KEM-768) rather than the classic one
 * @param rekeyAfterSeconds REKEY_AFTER_TIME; REJECT_AFTER_TIME is 60 s (or half of it, if shorter) later
 */
public record SessionSettings(Secret privateKey, byte[] peerPublicKey, Optional<Secret> psk, AeadAlgorithm suite,
                              boolean postQuantum, long rekeyAfterSeconds) {
    /** WireGuard's REKEY_AFTER_TIME. */
    public static final long DEFAULT_REKEY_AFTER = 120;

    public SessionSettings {
        Objects.requireNonNull(privateKey);
        Objects.requireNonNull(psk);
        Objects.requireNonNull(suite);
        if (peerPublicKey.length != 32 || privateKey.length() != 32) {
            throw new IllegalArgumentException("X25519 keys have 32 bytes");
        }
        peerPublicKey = peerPublicKey.clone();
    }

    @Override
    public byte[] peerPublicKey() {
        return peerPublicKey.clone();
    }

    /**
     * SHA-256 over every setting, the keys included: what a reload compares, since the daemon wipes the keys once
     * the session has them. Call before {@link Secret#destroy}.
     */
    public byte[] fingerprint() {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            byte[] k = privateKey.bytes();
            d.update(k);
            java.util.Arrays.fill(k, (byte) 0);
            d.update(peerPublicKey);
            if (psk.isPresent()) {
                byte[] p = psk.get().bytes();
                d.update((byte) 1);
                d.update(p);
                java.util.Arrays.fill(p, (byte) 0);
            }
            d.update((suite.optionName() + "/" + postQuantum + "/" + rekeyAfterSeconds)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return d.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK lacks SHA-256", e);
        }
    }

    /** REJECT_AFTER_TIME: the key pair neither sends nor receives any more. */
    public long rejectAfterSeconds() {
        return rekeyAfterSeconds + Math.min(60, Math.max(1, rekeyAfterSeconds / 2));
    }

    @Override
    public String toString() {
        return "SATP session, " + suite.optionName() + (postQuantum ? ", hybrid post-quantum" : ", classic")
                + (psk.isPresent() ? ", with PSK" : "") + ", re-key after " + rekeyAfterSeconds + " s";
    }
}
