package org.janytun.address;

import org.janytun.text.Digits;


/**
 * {@code host[:port]}, {@code [v6]:port}, {@code :port} or a bare IPv6 literal, as anytun's {@code -M}, {@code -X}
 * and anytun-controld's {@code -X} take them.
 *
 * @param host the host (a name or an IP literal, without brackets), empty if not given
 * @param port the port, or the default
 */
public record HostPort(String host, int port) {

    /**
     * Parses {@code text}, using {@code defaultPort} when it names no port.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static HostPort parse(String text, int defaultPort) {
        String host = text;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + InetText.printable(text) + "': missing ']'");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + InetText.printable(text) + "': expected :<port> after ']'");
                }
                port = rest.substring(1);
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("'" + InetText.printable(text) + "': empty address in brackets");
            }
        } else {
            int first = text.indexOf(':');
            if (first >= 0 && first == text.lastIndexOf(':')) {
                host = text.substring(0, first);
                port = text.substring(first + 1);
            }
            // two or more colons: a bare IPv6 literal without a port, or a mistake to report now rather than retry
            if (first >= 0 && first != text.lastIndexOf(':') && InetText.parseIpv6(text) == null) {
                throw new IllegalArgumentException("'" + InetText.printable(text) + "': neither host:port nor an IPv6"
                        + " address (write [IPv6]:port for an address with a port)");
            }
        }
        int p = defaultPort;
        if (port != null) {
            p = (int) Digits.decimal(port, 5);
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("'" + InetText.printable(text) + "': the port must be a number"
                        + " from 0 to 65535");
            }
        }
        return new HostPort(host, p);
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
