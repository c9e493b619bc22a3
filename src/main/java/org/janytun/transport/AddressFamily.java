package org.janytun.transport;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Which address families name resolution may return: both (default), or only one ({@code -4}, {@code -6}). */
public enum AddressFamily {
    ANY, IPV4, IPV6;

    public boolean admits(InetAddress a) {
        return switch (this) {
            case ANY -> true;
            case IPV4 -> a instanceof Inet4Address;
            case IPV6 -> a instanceof Inet6Address;
        };
    }
}
