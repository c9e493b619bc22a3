package org.janytun.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.janytun.config.SuiteFromSettings;
import org.janytun.config.TunnelSettings;
import org.janytun.crypto.SuiteException;
import org.junit.jupiter.api.Test;

/** The core's typed suite errors reach the user as the option that gave the input. */
class JanytunMainTest {
    @Test
    void everySuiteInputHasItsOption() {
        assertEquals("-K/--key", JanytunMain.optionOf(SuiteException.Input.MASTER_KEY));
        assertEquals("-A/--salt", JanytunMain.optionOf(SuiteException.Input.MASTER_SALT));
        assertEquals("-b/--auth-tag-length", JanytunMain.optionOf(SuiteException.Input.AUTH_TAG_LENGTH));
    }

    @Test
    void aMissingKeyIsBlamedOnTheKeyOption() {
        TunnelSettings s = assertInstanceOf(Parsed.Run.class, JanytunOptions.parse("janytun",
                new String[] {"-r", "127.0.0.1", "-A", "0102030405060708090a0b0c0d0e"})).settings();
        SuiteException e = assertThrows(SuiteException.class, () -> SuiteFromSettings.build(s));
        assertEquals("-K/--key", JanytunMain.optionOf(e.input()));
    }
}
