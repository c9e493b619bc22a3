package org.janytun.crypto;

import java.util.Optional;

/** The names that {@code -a/--auth-algo} takes (SPEC §7). */
public enum AuthAlgorithm {
    NULL("null", 0),
    /** HMAC-SHA1, the tag being the rightmost bytes of the MAC. */
    SHA1("sha1", 20);

    private final String optionName;
    private final int maxTagLength;

    AuthAlgorithm(String optionName, int maxTagLength) {
        this.optionName = optionName;
        this.maxTagLength = maxTagLength;
    }

    public String optionName() {
        return optionName;
    }

    public int maxTagLength() {
        return maxTagLength;
    }

    public static Optional<AuthAlgorithm> parse(String name) {
        for (AuthAlgorithm a : values()) {
            if (a.optionName.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
