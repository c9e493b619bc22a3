package org.janytun.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DigitsTest {
    @Test
    void decimalTakesOnlyAsciiDigitsUpToTheLimit() {
        assertEquals(0, Digits.decimal("0", 3));
        assertEquals(128, Digits.decimal("128", 3));
        assertEquals(-1, Digits.decimal("1280", 3));
        assertEquals(-1, Digits.decimal("", 3));
        assertEquals(-1, Digits.decimal(null, 3));
        assertEquals(-1, Digits.decimal("+1", 3));
        assertEquals(-1, Digits.decimal("1 ", 3));
        assertEquals(-1, Digits.decimal("\u0661", 3)); // ARABIC-INDIC DIGIT ONE: a digit to Character, not to us
        assertEquals(999_999_999_999L, Digits.decimal("999999999999", 12));
    }

    @Test
    void firstNonHexFindsTheFirstBadCharacter() {
        assertEquals(-1, Digits.firstNonHex("0123456789abcdefABCDEF"));
        assertEquals(2, Digits.firstNonHex("00g0"));
        assertEquals(0, Digits.firstNonHex("\uff10")); // FULLWIDTH DIGIT ZERO
        assertEquals(-1, Digits.firstNonHex(""));
    }
}
