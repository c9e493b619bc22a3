package org.janytun.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.janytun.wire.SatpLayout;

/**
 * Encryption and authentication of SATP datagrams in place (SPEC §5–§7), for one thread. A datagram buffer holds
 * the header at 0..7, the plain (or encrypted) portion from 8, and the tag after it.
 *
 * <p>Keys are derived per packet from the sequence number, as the protocol requires; the master key schedule is
 * set up once (see {@link KeyDerivation}).
 */
public final class PacketCrypto {
    private final CryptoSuite suite;
    private final int tagLength;
    private final KeyDerivation kdf;
    private final PacketKeys keys;
    private final Cipher ctr;
    private final HmacSha1 hmac;
    private final byte[] counter = new byte[16];
    private final byte[] mac = new byte[HmacSha1.LENGTH];

    /** Which packet the keys in {@link #keys} belong to, so that verify-then-decrypt derives once. */
    private boolean keysValid;
    private Role keysRole;
    private int keysSeq;

    public PacketCrypto(CryptoSuite suite) {
        this.suite = suite;
        this.tagLength = suite.tagLength();
        this.kdf = new KeyDerivation(suite);
        this.keys = new PacketKeys(suite.cipher().keyBytes());
        this.hmac = suite.auth() == AuthAlgorithm.NULL ? null : new HmacSha1();
        try {
            this.ctr = suite.cipher() == CtrAlgorithm.NULL ? null : Cipher.getInstance("AES/CTR/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR is missing from this JDK", e);
        }
    }

    public CryptoSuite suite() {
        return suite;
    }

    public int tagLength() {
        return tagLength;
    }

    /**
     * Encrypts {@code buf[8, end)} and appends the tag, the header at 0..7 being already written by the sender of
     * role {@code sender}. {@code buf} must have room for the tag after {@code end}.
     *
     * @return the datagram length, {@code end + tagLength()}
     */
    public int seal(Role sender, byte[] buf, int end) {
        derive(sender, SatpLayout.seq(buf));
        crypt(buf, end);
        if (tagLength > 0) {
            hmac.mac(keys.authKey, buf, 0, end, mac);
            System.arraycopy(mac, HmacSha1.LENGTH - tagLength, buf, end, tagLength);
        }
        return end + tagLength;
    }

    /**
     * Checks the tag of a datagram of {@code length} bytes (at least header + tag) sent by {@code sender}, in
     * constant time. With no tag every packet is authentic.
     */
    public boolean authenticate(Role sender, byte[] buf, int length) {
        if (tagLength == 0) {
            return true;
        }
        derive(sender, SatpLayout.seq(buf));
        int end = length - tagLength;
        hmac.mac(keys.authKey, buf, 0, end, mac);
        int diff = 0;
        for (int i = 0; i < tagLength; i++) {
            diff |= mac[HmacSha1.LENGTH - tagLength + i] ^ buf[end + i];
        }
        return diff == 0;
    }

    /** Decrypts {@code buf[8, end)} in place, {@code end} being the datagram length less the tag. */
    public void decrypt(Role sender, byte[] buf, int end) {
        derive(sender, SatpLayout.seq(buf));
        crypt(buf, end);
    }

    private void derive(Role sender, int seq) {
        if (keysValid && keysRole == sender && keysSeq == seq) {
            return;
        }
        kdf.derive(sender, seq, keys);
        keysValid = true;
        keysRole = sender;
        keysSeq = seq;
    }

    /** AES-CTR over the encrypted portion with the packet counter block of SPEC §6.2; the null cipher does nothing. */
    private void crypt(byte[] buf, int end) {
        if (ctr == null) {
            return;
        }
        System.arraycopy(keys.sessionSalt, 0, counter, 0, CryptoSuite.SALT_LENGTH);
        counter[14] = 0;
        counter[15] = 0;
        // the counter wants mux at 4..5 and sender id at 6..7: the header's int at 4..7 with its halves swapped
        SatpLayout.xorInt(counter, 4, Integer.rotateLeft(SatpLayout.getInt(buf, SatpLayout.SENDER_ID_OFFSET), 16));
        SatpLayout.xorInt(counter, 10, SatpLayout.seq(buf));
        try {
            ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.cipherKey, "AES"), new IvParameterSpec(counter));
            ctr.doFinal(buf, SatpLayout.HEADER_LENGTH, end - SatpLayout.HEADER_LENGTH, buf, SatpLayout.HEADER_LENGTH);
        } catch (InvalidKeyException | InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("AES-CTR rejected a derived key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR failed", e);
        }
    }
}
