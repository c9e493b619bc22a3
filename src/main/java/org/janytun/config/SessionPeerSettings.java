package org.janytun.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.janytun.route.IpPrefix;

/**
 * One peer of an SATP-session endpoint: the peer's X25519 public key (its identity), the mux its traffic uses, the
 * inner prefixes routed to it on a server, and its pre-shared key if any. A point-to-point tunnel has one, from
 * {@code --peer-public-key} and {@code -m}; a server has one per line of its {@code --peers} file, or per
 * {@code janytun-ctl add public-key=...}.
 *
 * @param publicKey the peer's X25519 public key (32 bytes, not secret)
 * @param mux       the connection's mux (0 to 65534: 65535 is the handshake's)
 * @param routes    inner prefixes routed to this peer (a server's; empty on a point-to-point tunnel)
 * @param psk       the pre-shared key with this peer (32 bytes), empty for none
 */
public record SessionPeerSettings(byte[] publicKey, int mux, List<IpPrefix> routes, Optional<Secret> psk) {
    public SessionPeerSettings {
        if (publicKey.length != 32) {
            throw new IllegalArgumentException("an X25519 public key has 32 bytes");
        }
        if (mux < 0 || mux >= 0xFFFF) {
            throw new IllegalArgumentException("mux " + mux + ": 0 to 65534 (65535 carries the handshakes)");
        }
        publicKey = publicKey.clone();
        routes = List.copyOf(routes);
        Objects.requireNonNull(psk);
    }

    /**
     * A peer from {@code key=value} words, as a line of a {@code --peers} file or {@code janytun-ctl add} gives
     * them: {@code public-key=} (base64, as {@code janytun-key pubkey} prints it), {@code mux=} and optional
     * {@code routes=} (comma-separated prefixes); the pre-shared key is read by the caller.
     *
     * @throws IllegalArgumentException naming the word that is wrong
     */
    public static SessionPeerSettings fromWords(java.util.Map<String, String> words, Optional<Secret> psk) {
        String key = words.get("public-key");
        String mux = words.get("mux");
        if (key == null || mux == null) {
            throw new IllegalArgumentException("a peer needs public-key= and mux=");
        }
        byte[] k = KeyText.decode(key);
        if (k == null) {
            throw new IllegalArgumentException("public-key: not a public key (base64 of 32 bytes, as janytun-key"
                    + " pubkey prints it)");
        }
        int m;
        try {
            m = Integer.parseInt(mux);
        } catch (NumberFormatException e) {
            m = -1;
        }
        if (m < 0 || m >= 0xFFFF || !mux.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("mux: '" + mux + "' is not a number from 0 to 65534");
        }
        List<IpPrefix> routes = new java.util.ArrayList<>();
        String r = words.get("routes");
        if (r != null && !r.isEmpty()) {
            for (String p : r.split(",", -1)) {
                try {
                    routes.add(IpPrefix.parse(p.strip()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("routes: '" + p + "' is not an address/length prefix");
                }
            }
        }
        return new SessionPeerSettings(k, m, routes, psk);
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The public key as {@code janytun-key pubkey} prints it: what show and the log name the peer by. */
    public String publicKeyText() {
        return KeyText.encode(publicKey);
    }

    @Override
    public String toString() {
        return "peer " + publicKeyText() + " mux " + mux + (routes.isEmpty() ? "" : " routes " + routes)
                + (psk.isPresent() ? " with PSK" : "");
    }
}
