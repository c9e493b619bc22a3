package org.janytun.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.janytun.crypto.AeadAlgorithm;

/**
 * The options of key-exchanged SATP sessions (docs/SATP-SESSIONS.md §11), checked and with the key files read:
 * {@code --private-key FILE}, then either {@code --peer-public-key KEY} with {@code --psk-file FILE} (a
 * point-to-point tunnel: one peer, on the command line's mux) or {@code --peers FILE} (a server: a peer per line, each
 * on its own mux with its routes), and {@code --suite}, {@code --no-pq}, {@code --rekey-after SECONDS}.
 *
 * @param privateKey    this host's X25519 private key (32 bytes)
 * @param peers         the peers: one on a point-to-point tunnel; any number on a server (its file's)
 * @param peersFile     the {@code --peers} file of a server, read again on reload; empty on a point-to-point tunnel
 * @param suite         the data suite and the handshake's cipher
 * @param postQuantum   the hybrid handshake (ML-KEM-768) rather than the classic one
 * @param rekeyAfterSeconds REKEY_AFTER_TIME; REJECT_AFTER_TIME is 60 s (or half of it, if shorter) later
 */
public record SessionSettings(Secret privateKey, List<SessionPeerSettings> peers, Optional<String> peersFile,
                              AeadAlgorithm suite, boolean postQuantum, long rekeyAfterSeconds) {
    /** WireGuard's REKEY_AFTER_TIME. */
    public static final long DEFAULT_REKEY_AFTER = 120;

    public SessionSettings {
        Objects.requireNonNull(privateKey);
        Objects.requireNonNull(peersFile);
        Objects.requireNonNull(suite);
        peers = List.copyOf(peers);
        if (privateKey.length() != 32) {
            throw new IllegalArgumentException("X25519 keys have 32 bytes");
        }
        if (peersFile.isEmpty() && peers.size() != 1) {
            throw new IllegalArgumentException("a point-to-point SATP session has one peer");
        }
    }

    /** A server of many peers ({@code --peers}), rather than a point-to-point tunnel. */
    public boolean server() {
        return peersFile.isPresent();
    }

    /**
     * SHA-256 over every setting of this host and, on a point-to-point tunnel, its peer, keys included: what a
     * reload compares, since the daemon wipes the keys once the session has them. A server's peers are compared one
     * by one instead (by key, mux and pre-shared key): a reload changes them live. Call before
     * {@link Secret#destroy}.
     */
    public byte[] fingerprint() {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            byte[] k = privateKey.bytes();
            d.update(k);
            java.util.Arrays.fill(k, (byte) 0);
            if (!server()) {
                SessionPeerSettings peer = peers.getFirst();
                d.update(peer.publicKey());
                if (peer.psk().isPresent()) {
                    byte[] p = peer.psk().get().bytes();
                    d.update((byte) 1);
                    d.update(p);
                    java.util.Arrays.fill(p, (byte) 0);
                }
            }
            d.update((suite.optionName() + "/" + postQuantum + "/" + rekeyAfterSeconds + "/" + server())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return d.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK lacks SHA-256", e);
        }
    }

    /** Wipes this host's private key and every peer's pre-shared key (best effort): once the handshake has them. */
    public void destroySecrets() {
        privateKey.destroy();
        peers.forEach(p -> p.psk().ifPresent(Secret::destroy));
    }

    /** REJECT_AFTER_TIME: the key pair neither sends nor receives any more. */
    public long rejectAfterSeconds() {
        return rekeyAfterSeconds + Math.min(60, Math.max(1, rekeyAfterSeconds / 2));
    }

    @Override
    public String toString() {
        return "SATP session, " + suite.optionName() + (postQuantum ? ", hybrid post-quantum" : ", classic")
                + (server() ? ", " + peers.size() + " peers from " + peersFile.get()
                        : peers.getFirst().psk().isPresent() ? ", with PSK" : "")
                + ", re-key after " + rekeyAfterSeconds + " s";
    }
}
