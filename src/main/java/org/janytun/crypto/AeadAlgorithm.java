package org.janytun.crypto;

import java.util.Locale;
import java.util.Optional;

/** The AEAD data suites of SATP sessions (docs/SATP-SESSIONS.md): 256-bit key, 96-bit nonce, 128-bit tag. */
public enum AeadAlgorithm {
    AES_256_GCM("aes-256-gcm", "AES/GCM/NoPadding", "AES"),
    CHACHA20_POLY1305("chacha20-poly1305", "ChaCha20-Poly1305", "ChaCha20");

    public static final int KEY_LENGTH = 32;
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;

    private final String optionName;
    final String transformation;
    final String keyAlgorithm;

    AeadAlgorithm(String optionName, String transformation, String keyAlgorithm) {
        this.optionName = optionName;
        this.transformation = transformation;
        this.keyAlgorithm = keyAlgorithm;
    }

    /** As in {@code --suite}: {@code aes-256-gcm} or {@code chacha20-poly1305}. */
    public String optionName() {
        return optionName;
    }

    public static Optional<AeadAlgorithm> parse(String name) {
        for (AeadAlgorithm a : values()) {
            if (a.optionName.equals(name.toLowerCase(Locale.ROOT))) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
