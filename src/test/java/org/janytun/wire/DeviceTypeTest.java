package org.janytun.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeviceTypeTest {

    @Test
    void typeOptionWins() {
        assertEquals(Optional.of(DeviceType.TAP), DeviceType.resolve("tap", "tun0"));
        assertEquals(Optional.of(DeviceType.TUN), DeviceType.resolve("tun", "tap0"));
        assertEquals(Optional.empty(), DeviceType.resolve("foo", "tun0"));
    }

    @Test
    void deviceNamePrefix() {
        assertEquals(Optional.of(DeviceType.TAP), DeviceType.resolve(null, "tap3"));
        assertEquals(Optional.of(DeviceType.TUN), DeviceType.resolve(null, "tun17"));
        assertEquals(Optional.empty(), DeviceType.resolve(null, "foo0"));
    }

    @Test
    void defaultIsTun() {
        assertEquals(Optional.of(DeviceType.TUN), DeviceType.resolve(null, null));
    }

    @Test
    void onlyFirstThreeCharactersOfTypeCount() {
        assertEquals(Optional.of(DeviceType.TAP), DeviceType.resolve("tapxyz", null));
        assertEquals(Optional.of(DeviceType.TUN), DeviceType.resolve("tunnel", null));
        assertEquals(Optional.empty(), DeviceType.resolve("ta", null));
    }
}
