package org.janytun.keyx;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * mac1 and mac2 of handshake messages (docs/SATP-SESSIONS.md §4), WireGuard's design with HMAC-SHA256 truncated
 * to 16 bytes in place of keyed BLAKE2s: mac1 proves the sender knows the receiver's static public key and is
 * checked before any public-key work; mac2 proves a recent cookie when the receiver is under load.
 */
public final class Macs {
    public static final int LENGTH = 16;
    private static final byte[] MAC1_LABEL = "mac1----".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COOKIE_LABEL = "cookie--".getBytes(StandardCharsets.US_ASCII);

    private Macs() {}

    /** SHA-256("mac1----" ‖ receiver's static public key): the mac1 key of messages to that receiver. */
    public static byte[] mac1Key(byte[] receiverStaticPublic) {
        return org.janytun.noise.Hkdf.hash(MAC1_LABEL, receiverStaticPublic);
    }

    /** SHA-256("cookie--" ‖ static public key): the key that seals cookie replies from that key's owner. */
    public static byte[] cookieKey(byte[] staticPublic) {
        return org.janytun.noise.Hkdf.hash(COOKIE_LABEL, staticPublic);
    }

    /** The first 16 bytes of HMAC-SHA256(key, buf[0, length)), written to {@code out[at, at+16)}. */
    public static void mac(byte[] key, byte[] buf, int length, byte[] out, int at) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            m.update(buf, 0, length);
            byte[] full = m.doFinal();
            System.arraycopy(full, 0, out, at, LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JDK", e);
        }
    }

    /** Whether {@code buf[at, at+16)} is the mac of {@code buf[0, at)} under {@code key}, in constant time. */
    public static boolean check(byte[] key, byte[] buf, int at) {
        byte[] expected = new byte[LENGTH];
        mac(key, buf, at, expected, 0);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(buf, at, at + LENGTH));
    }
}
