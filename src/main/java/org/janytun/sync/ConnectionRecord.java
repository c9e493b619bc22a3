package org.janytun.sync;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.util.Objects;
import org.janytun.crypto.Role;
import org.janytun.address.InetText;
import org.janytun.text.Digits;

/**
 * A {@code connection} frame (SYNC.md §1.4): everything a node needs to talk to one client. The fields are exactly
 * those on the wire, in wire order. The master salt and key are secrets: {@link #toString} shows only their sizes,
 * and the accessors hand out copies.
 *
 * <p>Invariants (the decoder rejects frames that break them; the reference would crash on an oversize salt or
 * silently keep an unusable key): {@code keyLength} is 128, 192 or 256 with a key of {@code keyLength / 8} bytes
 * and a 14-byte salt, or 0 (the null key derivation) with a salt of 0 or 14 bytes and a key of 0, 16, 24 or 32
 * bytes (not used). The remote host is an IP literal, never a name, stored in the form the references write
 * (lowercase, compressed IPv6, {@code ::ffff:a.b.c.d}), optionally with an IPv6 scope ({@code fe80::1%eth0}).
 *
 * @param mux the connection (client) id, 0..65535
 * @param role the role of the node that uses this connection ({@link Role#LEFT} = 0, {@link Role#RIGHT} = 1)
 * @param keyLength the key derivation's key size in bits: 0, 128, 192 or 256
 * @param masterSalt the master salt
 * @param masterKey the master key
 * @param windowSize the replay window size ({@code -w}), 0..2^32-1
 * @param seqNr the sender's outbound sequence counter for this connection, 0..2^32-1
 * @param remoteHost the client's UDP address as text; {@code 0.0.0.0} or {@code ::} when not known
 * @param remotePort the client's UDP port, 0..65535; 0 when not known
 */
public record ConnectionRecord(int mux, Role role, int keyLength, byte[] masterSalt, byte[] masterKey,
                               long windowSize, long seqNr, String remoteHost, int remotePort)
        implements SyncRecord {

    /** The salt size of the AES-CTR key derivation. */
    public static final int SALT_LENGTH = 14;
    /** The host text of an unknown endpoint (what anytun-config writes without {@code -r}). */
    public static final String UNSET_HOST = "0.0.0.0";

    public ConnectionRecord {
        SyncCodec.checkUint16("mux", mux);
        Objects.requireNonNull(role, "role");
        checkKeyMaterial(keyLength, masterSalt.length, masterKey.length);
        SyncCodec.checkUint32("window size", windowSize);
        SyncCodec.checkUint32("sequence number", seqNr);
        remoteHost = canonicalHost(remoteHost);
        SyncCodec.checkUint16("remote port", remotePort);
        masterSalt = masterSalt.clone();
        masterKey = masterKey.clone();
    }

    /** @throws IllegalArgumentException if the sizes do not fit together (see the class comment) */
    static void checkKeyMaterial(int keyLength, int saltBytes, int keyBytes) {
        switch (keyLength) {
            case 128, 192, 256 -> {
                if (saltBytes != SALT_LENGTH) {
                    throw new IllegalArgumentException("the master salt has " + saltBytes + " bytes, not "
                            + SALT_LENGTH);
                }
                if (keyBytes * 8 != keyLength) {
                    throw new IllegalArgumentException("the master key has " + keyBytes + " bytes, but the key"
                            + " length is " + keyLength + " bits");
                }
            }
            case 0 -> {
                if (saltBytes != 0 && saltBytes != SALT_LENGTH) {
                    throw new IllegalArgumentException("the master salt has " + saltBytes + " bytes, not "
                            + SALT_LENGTH + " or 0");
                }
                if (keyBytes != 0 && keyBytes != 16 && keyBytes != 24 && keyBytes != 32) {
                    throw new IllegalArgumentException("the master key has " + keyBytes + " bytes, not 0, 16, 24"
                            + " or 32");
                }
            }
            default -> throw new IllegalArgumentException("key length " + keyLength
                    + " is not 0, 128, 192 or 256 bits");
        }
    }

    /**
     * The canonical text of an IP literal with an optional IPv6 scope; brackets around IPv6 are accepted
     * ({@code [::]} is what anytun itself treats as unset).
     *
     * @throws IllegalArgumentException for a host name or anything else that is not an IP literal
     */
    public static String canonicalHost(String host) {
        String h = host;
        if (h.length() > 2 && h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        String scope = "";
        int pct = h.indexOf('%');
        if (pct >= 0 && h.indexOf(':') >= 0) {
            scope = h.substring(pct);
            h = h.substring(0, pct);
            if (scope.length() < 2 || scope.length() > 16
                    || !scope.substring(1).chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_'
                            || c == '-' || c == '.')) {
                throw new IllegalArgumentException("remote host '" + InetText.printable(host)
                        + "' has an invalid scope");
            }
        }
        byte[] a = h.indexOf(':') >= 0 ? InetText.parseIpv6(h) : InetText.parseIpv4(h);
        if (a == null) {
            throw new IllegalArgumentException("remote host '" + InetText.printable(host)
                    + "' is not an IP address (names are not allowed here)");
        }
        return InetText.format(a) + scope;
    }

    /** A record with an unknown endpoint ({@code 0.0.0.0}, port 0), sequence number 0. */
    public static ConnectionRecord withoutEndpoint(int mux, Role role, int keyLength, byte[] masterSalt,
                                                   byte[] masterKey, long windowSize) {
        return new ConnectionRecord(mux, role, keyLength, masterSalt, masterKey, windowSize, 0, UNSET_HOST, 0);
    }

    @Override
    public byte[] masterSalt() {
        return masterSalt.clone();
    }

    @Override
    public byte[] masterKey() {
        return masterKey.clone();
    }

    /** The remote address bytes (4 or 16), without the scope. */
    public byte[] remoteAddress() {
        return InetText.parse(hostWithoutScope());
    }

    private String hostWithoutScope() {
        int pct = remoteHost.indexOf('%');
        return pct < 0 ? remoteHost : remoteHost.substring(0, pct);
    }

    /**
     * Whether the endpoint is unknown: the address is all zeros ({@code 0.0.0.0} or {@code ::}), whatever the port.
     * A receiver keeps the endpoint it knows (for example one learned from the client's packets) when a record
     * says this; anytun-controld tables always do ({@code 0.0.0.0 4444}).
     */
    public boolean endpointUnset() {
        for (byte b : remoteAddress()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The endpoint as a socket address, or null if {@link #endpointUnset() unset}. An IPv4-mapped IPv6 address
     * becomes the IPv4 address (the JDK's rule); a scope names an interface or its index.
     *
     * @throws UnknownHostException if the scope names no interface of this host
     */
    public InetSocketAddress remoteEndpoint() throws UnknownHostException {
        if (endpointUnset()) {
            return null;
        }
        byte[] a = remoteAddress();
        int pct = remoteHost.indexOf('%');
        if (pct < 0) {
            return new InetSocketAddress(InetAddress.getByAddress(a), remotePort);
        }
        String scope = remoteHost.substring(pct + 1);
        long scopeId = Digits.decimal(scope, 9);
        if (scopeId >= 0) {
            return new InetSocketAddress(Inet6Address.getByAddress(null, a, (int) scopeId), remotePort);
        }
        try {
            NetworkInterface nif = NetworkInterface.getByName(scope);
            if (nif == null) {
                throw new UnknownHostException(remoteHost + ": no interface " + scope);
            }
            return new InetSocketAddress(Inet6Address.getByAddress(null, a, nif), remotePort);
        } catch (SocketException e) {
            throw new UnknownHostException(remoteHost + ": " + e.getMessage());
        }
    }

    /** {@code a.b.c.d:port}, {@code [v6]:port}, or {@code not registered} when unset (as anytun-showtables). */
    public String endpointText() {
        if (endpointUnset()) {
            return "not registered";
        }
        return remoteHost.indexOf(':') >= 0 ? "[" + remoteHost + "]:" + remotePort : remoteHost + ":" + remotePort;
    }

    /** This record with another sequence number. */
    public ConnectionRecord withSeqNr(long seq) {
        return new ConnectionRecord(mux, role, keyLength, masterSalt, masterKey, windowSize, seq, remoteHost,
                remotePort);
    }

    /** This record with another endpoint (an IP literal). */
    public ConnectionRecord withRemote(String host, int port) {
        return new ConnectionRecord(mux, role, keyLength, masterSalt, masterKey, windowSize, seqNr, host, port);
    }

    /** Compares the secrets in constant time. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionRecord c && c.mux == mux && c.role == role && c.keyLength == keyLength
                && MessageDigest.isEqual(c.masterSalt, masterSalt) && MessageDigest.isEqual(c.masterKey, masterKey)
                && c.windowSize == windowSize && c.seqNr == seqNr && c.remoteHost.equals(remoteHost)
                && c.remotePort == remotePort;
    }

    /** Does not depend on the secrets. */
    @Override
    public int hashCode() {
        return Objects.hash(mux, role, keyLength, masterSalt.length, masterKey.length, windowSize, seqNr, remoteHost,
                remotePort);
    }

    /** Without the secrets: only their sizes. */
    @Override
    public String toString() {
        return "ConnectionRecord[mux=" + mux + ", role=" + role + ", keyLength=" + keyLength + ", masterSalt=<"
                + masterSalt.length + " bytes>, masterKey=<" + masterKey.length + " bytes>, windowSize=" + windowSize
                + ", seqNr=" + seqNr + ", remote=" + endpointText() + "]";
    }
}
