package org.janytun.address;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * IP address literals as the references read and write them, without name resolution and without the JDK's habit
 * of turning {@code ::ffff:a.b.c.d} into an IPv4 address.
 *
 * <p>Parsing follows inet_pton(3): IPv4 is exactly four decimal parts 0..255 without leading zeros (so
 * {@code 010.1.1.1} and {@code 10.1} are refused, where inet_aton would read octal or short forms); IPv6 is up to
 * eight hex groups of 1..4 digits in either case, at most one {@code ::}, optionally ending in a dotted quad.
 * Formatting follows glibc's inet_ntop(3), which the references use: IPv4 dotted decimal; IPv6 in lowercase with
 * the longest run of two or more zero groups (the first on a tie) written {@code ::}, and the last 32 bits as a
 * dotted quad for {@code ::a.b.c.d} and {@code ::ffff:a.b.c.d}.
 */
public final class InetText {
    private InetText() {}

    /** The 4 or 16 address bytes of an IPv4 or IPv6 literal (no brackets, no scope). */
    public static byte[] parse(String text) {
        byte[] a = text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text);
        if (a == null) {
            throw new IllegalArgumentException("'" + printable(text) + "' is not an IPv4 or IPv6 address");
        }
        return a;
    }

    /** Whether {@code text} is an IPv4 or IPv6 literal that {@link #parse} accepts. */
    public static boolean isLiteral(String text) {
        return (text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text)) != null;
    }

    /** A strict dotted quad, or null. */
    public static byte[] parseIpv4(String s) {
        byte[] out = new byte[4];
        return ipv4Into(s, 0, s.length(), out, 0) ? out : null;
    }

    private static boolean ipv4Into(String s, int from, int to, byte[] out, int at) {
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = from; i <= to; i++) {
            char c = i < to ? s.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) {
                    return false; // leading zero
                }
                value = value * 10 + (c - '0');
                if (value > 255) {
                    return false;
                }
                digits++;
            } else if (c == '.') {
                if (digits == 0 || part == 4) {
                    return false;
                }
                out[at + part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return false;
            }
        }
        return part == 4;
    }

    /** An IPv6 literal (RFC 4291 text forms), or null. */
    public static byte[] parseIpv6(String s) {
        int n = s.length();
        if (n < 2 || n > 45) {
            return null;
        }
        byte[] out = new byte[16];
        int word = 0;          // next 16-bit group to fill
        int gap = -1;          // group index where "::" stands
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) {
                return out;
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < n) {
            int start = i;
            int value = 0;
            while (i < n && Character.digit(s.charAt(i), 16) >= 0 && i - start < 5) {
                value = (value << 4) | Character.digit(s.charAt(i), 16);
                i++;
            }
            int len = i - start;
            if (i < n && s.charAt(i) == '.') {
                // a dotted quad: the last 32 bits
                if (word > 6 || len == 0) {
                    return null;
                }
                if (!ipv4Into(s, start, n, out, word * 2)) {
                    return null;
                }
                word += 2;
                break;
            }
            if (len == 0 || len > 4 || word == 8) {
                return null;
            }
            out[word * 2] = (byte) (value >>> 8);
            out[word * 2 + 1] = (byte) value;
            word++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = word;
                i++;
                if (i == n) {
                    break;
                }
            } else if (i == n) {
                return null; // trailing single ':'
            }
        }
        if (gap >= 0) {
            if (word == 8) {
                return null; // "::" must stand for at least one group
            }
            int tail = (word - gap) * 2;
            System.arraycopy(out, gap * 2, out, 16 - tail, tail);
            Arrays.fill(out, gap * 2, 16 - tail, (byte) 0);
        } else if (word != 8) {
            return null;
        }
        return out;
    }

    /** {@code addr:port}, or {@code [v6]:port} (RFC 5952 form, with the scope if any): how operators write them. */
    public static String format(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        if (ip instanceof Inet6Address) {
            String host = ip.getHostAddress();
            int pct = host.indexOf('%');
            return "[" + format(ip.getAddress()) + (pct >= 0 ? host.substring(pct) : "") + "]:" + a.getPort();
        }
        return format(ip.getAddress()) + ":" + a.getPort();
    }

    /** The text of a 4- or 16-byte address. */
    public static String format(byte[] address) {
        return format(address, 0, address.length);
    }

    /** The text of the 4- or 16-byte address at {@code a[off..off+len)}. */
    public static String format(byte[] a, int off, int len) {
        if (len == 4) {
            return (a[off] & 0xFF) + "." + (a[off + 1] & 0xFF) + "." + (a[off + 2] & 0xFF) + "." + (a[off + 3] & 0xFF);
        }
        if (len != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + len);
        }
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((a[off + 2 * i] & 0xFF) << 8) | (a[off + 2 * i + 1] & 0xFF);
        }
        int bestBase = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestBase = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    sb.append(':');
                }
                continue;
            }
            if (i != 0) {
                sb.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xFFFF))) {
                sb.append(format(a, off + 12, 4));
                return sb.toString();
            }
            sb.append(Integer.toHexString(w[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            sb.append(':');
        }
        return sb.toString();
    }

    /** {@code s} with control characters and non-ASCII replaced, cut to 64 characters: safe for a message. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 64; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        if (s.length() > 64) {
            sb.append("...");
        }
        return sb.toString();
    }
}
