package org.janytun.wire;

import java.util.Locale;
import java.util.Optional;

/**
 * The kind of local device, and so what the tunnel carries: tun IP packets (SATP payload types IPv4/IPv6), tap
 * Ethernet frames. The session checks payload types against it; the device is opened as it says.
 */
public enum DeviceType {
    TUN, TAP;

    /**
     * The device type as anytun(8) decides it: {@code -t} wins (only its first three characters count),
     * else the prefix of the {@code -d} name, else tun. Empty when neither gives an answer (e.g. {@code -d foo0}).
     */
    public static Optional<DeviceType> resolve(String typeOption, String deviceName) {
        if (typeOption != null) {
            return fromPrefix(typeOption);
        }
        if (deviceName != null) {
            return fromPrefix(deviceName);
        }
        return Optional.of(TUN);
    }

    private static Optional<DeviceType> fromPrefix(String s) {
        String p = s.length() >= 3 ? s.substring(0, 3).toLowerCase(Locale.ROOT) : "";
        return switch (p) {
            case "tun" -> Optional.of(TUN);
            case "tap" -> Optional.of(TAP);
            default -> Optional.empty();
        };
    }
}
