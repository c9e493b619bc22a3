/**
 * Addresses as text, in one place: IP literals parsed and formatted ({@link org.janytun.address.InetText}, RFC 5952
 * for IPv6; also {@code addr:port} endpoints), {@code host[:port]} arguments ({@link org.janytun.address.HostPort})
 * and the {@code -4}/{@code -6} family filter for name resolution ({@link org.janytun.address.AddressFamily}).
 */
package org.janytun.address;
