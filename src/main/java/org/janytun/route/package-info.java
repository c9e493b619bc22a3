/**
 * Routing by inner destination address: {@link org.janytun.route.RouteTable} (longest-prefix match for IPv4 and
 * IPv6, lock-free and allocation-free lookups), {@link org.janytun.route.IpPrefix} and
 * {@link org.janytun.address.InetText} (IP literals read and written the way the references do, never resolved).
 */
package org.janytun.route;
