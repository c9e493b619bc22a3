package org.janytun.crypto;

import java.util.Locale;
import java.util.Optional;

/**
 * The two sides of a tunnel (SPEC §5.3). Each direction uses the labels of the role that <em>sent</em> the packet,
 * so the two directions have different keys even at the same sequence number.
 */
public enum Role {
    LEFT(0x356A192B, 0x77DE68DA, 0xAC3478D6),
    RIGHT(0xDA4B9237, 0x1B645389, 0xC1DFD96E);

    /** KDF labels for packets sent by this role: the first 4 bytes of SHA-1 of "1".."6". */
    final int encLabel;
    final int saltLabel;
    final int authLabel;

    Role(int encLabel, int saltLabel, int authLabel) {
        this.encLabel = encLabel;
        this.saltLabel = saltLabel;
        this.authLabel = authLabel;
    }

    public Role peer() {
        return this == LEFT ? RIGHT : LEFT;
    }

    /** {@code left|alice|server} or {@code right|bob|client}, case-insensitive. */
    public static Optional<Role> parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "left", "alice", "server" -> Optional.of(LEFT);
            case "right", "bob", "client" -> Optional.of(RIGHT);
            default -> Optional.empty();
        };
    }
}
