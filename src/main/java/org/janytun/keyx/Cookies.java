package org.janytun.keyx;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.janytun.noise.Hkdf;
import org.janytun.noise.NoiseException;
import org.janytun.wire.SatpLayout;

/**
 * Cookies under load (docs/SATP-SESSIONS.md §4.3), WireGuard's mechanism with JDK primitives: a responder that is
 * busy answers an initiation without a valid mac2 with a cookie reply (type 3) sealed with ChaCha20-Poly1305 under
 * {@code HASH("cookie--" ‖ responder static public)} and bound to the initiation's mac1; the initiator then puts
 * the cookie into mac2. A cookie is {@code MAC16(secret_epoch, address ‖ port)} for the current 120-second
 * epoch; the previous epoch's is still accepted. With the cluster secret as {@code secret}, every node accepts
 * every node's cookies. The clock is the caller's (Unix seconds).
 */
public final class Cookies {
    public static final long EPOCH_SECONDS = 120;
    public static final int REPLY_LENGTH = SatpLayout.HEADER_LENGTH + 4 + 12 + Macs.LENGTH + 16;
    private static final byte[] LABEL = "SATP cookie ".getBytes(StandardCharsets.US_ASCII);

    private final byte[] secret;

    /** {@code secret}: at least 32 random bytes (the node's own, or the cluster secret). */
    public Cookies(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("a cookie secret needs at least 32 bytes");
        }
        this.secret = secret.clone();
    }

    /** The cookie of a source address (4 or 16 bytes) and port at {@code unixSeconds}. */
    public byte[] cookie(byte[] address, int port, long unixSeconds) {
        return cookieOfEpoch(address, port, Math.floorDiv(unixSeconds, EPOCH_SECONDS));
    }

    private byte[] cookieOfEpoch(byte[] address, int port, long epoch) {
        byte[] info = ByteBuffer.allocate(LABEL.length + 8).put(LABEL).putLong(epoch).array();
        byte[] key = Hkdf.expand(secret, info, 32);
        byte[] src = ByteBuffer.allocate(address.length + 2).put(address).putShort((short) port).array();
        byte[] out = new byte[Macs.LENGTH];
        Macs.mac(key, src, src.length, out, 0);
        Arrays.fill(key, (byte) 0);
        return out;
    }

    /** Whether the mac2 of a handshake datagram carries this source's cookie of this or the previous epoch. */
    public boolean mac2Valid(byte[] datagram, int length, byte[] address, int port, long unixSeconds) {
        long epoch = Math.floorDiv(unixSeconds, EPOCH_SECONDS);
        byte[] d = Arrays.copyOf(datagram, length);
        return Macs.check(cookieOfEpoch(address, port, epoch), d, length - Macs.LENGTH)
                | Macs.check(cookieOfEpoch(address, port, epoch - 1), d, length - Macs.LENGTH);
    }

    /** The cookie reply to an initiation (which passed mac1) from this source. */
    public byte[] reply(byte[] initiation, int length, byte[] address, int port, long unixSeconds,
                        byte[] responderStatic, int senderId, SecureRandom random) {
        byte[] d = new byte[REPLY_LENGTH];
        ControlDatagram.writeHeader(d, ControlDatagram.COOKIE_REPLY, senderId);
        System.arraycopy(initiation, 8, d, 8, 4); // receiver index = the initiation's sender index
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, d, 12, 12);
        byte[] mac1 = Arrays.copyOfRange(initiation, length - 2 * Macs.LENGTH, length - Macs.LENGTH);
        byte[] cookie = cookie(address, port, unixSeconds);
        try {
            Cipher c = cipher(Cipher.ENCRYPT_MODE, responderStatic, nonce);
            c.updateAAD(mac1);
            c.doFinal(cookie, 0, cookie.length, d, 24);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
        return d;
    }

    /**
     * The initiator opens a cookie reply to its initiation {@code myInitiation} sent to {@code responderStatic}:
     * the cookie, or {@link NoiseException} if the reply is not for that initiation or does not authenticate.
     */
    public static byte[] open(byte[] reply, int length, byte[] myInitiation, byte[] responderStatic)
            throws NoiseException {
        if (length != REPLY_LENGTH || ControlDatagram.type(reply) != ControlDatagram.COOKIE_REPLY
                || SatpLayout.mux(reply) != ControlDatagram.MUX
                || !MessageDigest.isEqual(Arrays.copyOfRange(reply, 8, 12), Arrays.copyOfRange(myInitiation, 8, 12))) {
            throw new NoiseException("not a cookie reply to this initiation");
        }
        int n = myInitiation.length;
        byte[] mac1 = Arrays.copyOfRange(myInitiation, n - 2 * Macs.LENGTH, n - Macs.LENGTH);
        try {
            Cipher c = cipher(Cipher.DECRYPT_MODE, responderStatic, Arrays.copyOfRange(reply, 12, 24));
            c.updateAAD(mac1);
            return c.doFinal(reply, 24, Macs.LENGTH + 16);
        } catch (AEADBadTagException e) {
            throw new NoiseException("cookie reply does not authenticate");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
    }

    private static Cipher cipher(int mode, byte[] responderStatic, byte[] nonce) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(mode, new SecretKeySpec(Macs.cookieKey(responderStatic), "ChaCha20"), new IvParameterSpec(nonce));
        return c;
    }
}
