package org.janytun.crypto;

import java.util.HexFormat;
import org.janytun.text.Digits;

/** Hex strings for keys and salts: two digits a byte, either case. Errors never echo the (secret) input. */
public final class Hex {
    private Hex() {}

    /** Parses {@code s}, or throws {@link IllegalArgumentException} saying what is wrong without quoting it. */
    public static byte[] parse(String s) {
        if ((s.length() & 1) != 0) {
            throw new IllegalArgumentException("odd number of hex digits (" + s.length() + ")");
        }
        int bad = Digits.firstNonHex(s);
        if (bad >= 0) {
            throw new IllegalArgumentException("character " + (bad + 1) + " is not a hex digit");
        }
        return HexFormat.of().parseHex(s);
    }

    public static String format(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
