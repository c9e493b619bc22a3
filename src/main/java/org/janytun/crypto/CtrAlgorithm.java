package org.janytun.crypto;

import java.util.Optional;

/**
 * The names that {@code -c/--cipher} and {@code -k/--kd-prf} take: null or AES in counter mode with a key size.
 * Cipher and kd-prf sizes are independent (SPEC §5).
 */
public enum CtrAlgorithm {
    NULL("null", 0),
    AES_CTR_128("aes-ctr-128", 128),
    AES_CTR_192("aes-ctr-192", 192),
    AES_CTR_256("aes-ctr-256", 256);

    private final String optionName;
    private final int keyBits;

    CtrAlgorithm(String optionName, int keyBits) {
        this.optionName = optionName;
        this.keyBits = keyBits;
    }

    public String optionName() {
        return optionName;
    }

    public int keyBits() {
        return keyBits;
    }

    public int keyBytes() {
        return keyBits / 8;
    }

    /** The AES variant with this key size (128, 192, 256), or null for 0. */
    public static Optional<CtrAlgorithm> ofKeyBits(int bits) {
        for (CtrAlgorithm a : values()) {
            if (a.keyBits == bits) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** {@code null}, {@code aes-ctr} (= 128 bits), {@code aes-ctr-128}, {@code aes-ctr-192}, {@code aes-ctr-256}. */
    public static Optional<CtrAlgorithm> parse(String name) {
        if (name.equals("aes-ctr")) {
            return Optional.of(AES_CTR_128);
        }
        for (CtrAlgorithm a : values()) {
            if (a.optionName.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
