package org.janytun.transport;

/**
 * {@code host[:port]} as anytun's {@code -X} and {@code -M} take it: a name or an IPv4 address with an optional
 * port, or an IPv6 address in brackets with an optional port ({@code [fd00::1]:2323}); a bare IPv6 address has
 * no port.
 */
public record HostPort(String host, int port) {

    /**
     * @throws IllegalArgumentException saying what is wrong with {@code spec}
     */
    public static HostPort parse(String spec, int defaultPort) {
        String host;
        String port = null;
        if (spec.startsWith("[")) {
            int close = spec.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in '" + spec + "'");
            }
            host = spec.substring(1, close);
            String rest = spec.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("expected ':port' after ']' in '" + spec + "'");
                }
                port = rest.substring(1);
            }
        } else if (spec.indexOf(':') != spec.lastIndexOf(':')) {
            host = spec; // a bare IPv6 address
        } else {
            int colon = spec.indexOf(':');
            host = colon < 0 ? spec : spec.substring(0, colon);
            port = colon < 0 ? null : spec.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in '" + spec + "'");
        }
        int p = defaultPort;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port must be 1..65535 in '" + spec + "'");
            }
        }
        return new HostPort(host, p);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
