package org.janytun.address;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Which address families name resolution may return: both (default), or only one ({@code -4}, {@code -6}). */
public enum AddressFamily {
    ANY, IPV4, IPV6;

    /** The first address of {@code host} that this family admits. */
    public InetAddress resolve(String host) throws UnknownHostException {
        for (InetAddress a : InetAddress.getAllByName(host)) {
            if (admits(a)) {
                return a;
            }
        }
        throw new UnknownHostException(host + ": no " + (this == IPV4 ? "IPv4 " : "IPv6 ") + "address");
    }

    public boolean admits(InetAddress a) {
        return switch (this) {
            case ANY -> true;
            case IPV4 -> a instanceof Inet4Address;
            case IPV6 -> a instanceof Inet6Address;
        };
    }
}
