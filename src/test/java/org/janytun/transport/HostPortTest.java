package org.janytun.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostPortTest {
    @Test
    void formsAnytunAccepts() {
        assertEquals(new HostPort("ctl.example", 2323), HostPort.parse("ctl.example", 2323));
        assertEquals(new HostPort("10.0.0.1", 4445), HostPort.parse("10.0.0.1:4445", 2323));
        assertEquals(new HostPort("fd00::1", 2323), HostPort.parse("fd00::1", 2323));
        assertEquals(new HostPort("fd00::1", 99), HostPort.parse("[fd00::1]:99", 2323));
        assertEquals(new HostPort("fd00::1", 2323), HostPort.parse("[fd00::1]", 2323));
        assertEquals("[fd00::1]:99", HostPort.parse("[fd00::1]:99", 2323).toString());
    }

    @Test
    void badFormsSayWhy() {
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:0", 2323));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:x", 2323));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("[fd00::1", 2323));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(":2323", 2323));
    }
}
