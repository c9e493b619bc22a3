package org.janytun.text;

/**
 * The one check of decimal and hex digit strings in arguments, records and addresses: ASCII digits only (never the
 * other Unicode digits {@link Character#isDigit} admits), so that what passes here also parses everywhere else.
 */
public final class Digits {
    private Digits() {}

    /** The value of {@code s} if it is 1 to {@code maxDigits} (at most 18) ASCII decimal digits, else -1. */
    public static long decimal(String s, int maxDigits) {
        if (maxDigits < 1 || maxDigits > 18) {
            throw new IllegalArgumentException("maxDigits must be 1..18: " + maxDigits);
        }
        if (s == null || s.isEmpty() || s.length() > maxDigits) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The index of the first character of {@code s} that is not an ASCII hex digit (either case), or -1. */
    public static int firstNonHex(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return i;
            }
        }
        return -1;
    }
}
