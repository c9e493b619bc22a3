package org.janytun.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PrefixTest {
    @Test
    void anyLengthIncludingTheOnesTheReferenceHangsOn() {
        assertEquals("192.168.123.128/25", Prefix.parse("192.168.123.128/25").toString());
        assertEquals("10.128.0.0/9", Prefix.parse("10.128.0.0/9").toString());
        assertEquals(33, Prefix.parse("2001:db8::/33").length());
        assertEquals(0, Prefix.parse("0.0.0.0/0").length());
        assertEquals(128, Prefix.parse("fec0::1/128").length());
    }

    @Test
    void refusesWhatIsNotAPrefix() {
        for (String bad : new String[] {"10.0.0.1", "10.0.0.1/33", "::/129", "host.example/24", "10.0.0/8", "/8",
                "10.0.0.1/x", "10.0.0.1/-1"}) {
            assertThrows(IllegalArgumentException.class, () -> Prefix.parse(bad), bad);
        }
    }
}
