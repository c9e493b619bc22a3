package org.janytun.config;

import java.util.Base64;

/** X25519 keys and pre-shared keys as text: base64 of 32 bytes on one line (janytun-key's and wg's format). */
public final class KeyText {
    public static final int KEY_BYTES = 32;

    private KeyText() {
    }

    /** A base64 32-byte key (white space around it allowed), or null if {@code text} is anything else. */
    public static byte[] decode(String text) {
        String t = text.strip();
        if (t.length() != 44) {
            return null;
        }
        try {
            byte[] k = Base64.getDecoder().decode(t);
            return k.length == KEY_BYTES ? k : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static String encode(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}
