package org.janytun.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostPortTest {
    @Test
    void forms() {
        assertEquals(new HostPort("127.0.0.1", 4444), HostPort.parse("127.0.0.1:4444", 2323));
        assertEquals(new HostPort("127.0.0.1", 2323), HostPort.parse("127.0.0.1", 2323));
        assertEquals(new HostPort("", 4444), HostPort.parse(":4444", 2323));
        assertEquals(new HostPort("::1", 4444), HostPort.parse("[::1]:4444", 2323));
        assertEquals(new HostPort("::1", 2323), HostPort.parse("[::1]", 2323));
        assertEquals(new HostPort("fd00::1", 2323), HostPort.parse("fd00::1", 2323));
        assertEquals(new HostPort("example.com", 1), HostPort.parse("example.com:1", 2323));
        assertEquals("[::1]:4444", HostPort.parse("[::1]:4444", 0).toString());
        for (String bad : new String[] {"[::1", "[::1]x", "[]:1", "h:", "h:70000", "h:x", "[::1]:"}) {
            assertThrows(IllegalArgumentException.class, () -> HostPort.parse(bad, 2323), bad);
        }
    }
}
