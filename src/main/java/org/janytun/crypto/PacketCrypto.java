package org.janytun.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import javax.crypto.Cipher;
import org.janytun.wire.SatpLayout;

/**
 * The legacy SATP suite's {@link PacketProtection}: AES-CTR (or none) and HMAC-SHA1 (or none) under keys derived
 * per packet, in place (SPEC §5–§7), for one thread. A datagram buffer holds
 * the header at 0..7, the plain (or encrypted) portion from 8, and the tag after it.
 *
 * <p>Keys are derived per packet from the sequence number, as the protocol requires; the master key schedule is
 * set up once per {@link #bind} to a connection's suite (see {@link KeyDerivation}). One engine per thread serves
 * every connection whose suite has the same cipher and auth algorithm ({@link ThreadEngines}).
 *
 * <p>Allocation: HMAC and KDF allocate nothing per packet. AES-CTR needs a {@code Cipher.init} with the new key
 * of every packet, and the JCE then builds a new AES key schedule: its round-key arrays (448 bytes for AES-128,
 * 608 for AES-256) are the only garbage left per packet, and no JCE API avoids them. The rest the JCE would
 * allocate is avoided here (see {@link #crypt}); docs/PERFORMANCE.md has the measurements.
 */
public final class PacketCrypto implements PacketProtection {
    private CryptoSuite suite;
    private int tagLength;
    private final KeyDerivation kdf;
    private final PacketKeys keys;
    private final Cipher ctr;
    private final HmacSha1 hmac;
    private final byte[] counter = new byte[16];
    /** The JCE's CTR mode keeps a reference to it until the next init: {@link #crypt} rewrites all of it before. */
    private final ReusedIv iv = new ReusedIv(counter);
    private final ReusedKey cipherKey;
    /** Where AES-CTR writes before the result is copied back into the datagram; grows only past 2048 bytes. */
    private byte[] ctrOut = new byte[SatpLayout.BUFFER_SIZE];
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
        this.cipherKey = new ReusedKey(keys.cipherKey, "AES");
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

    /** Serves any legacy suite with this engine's cipher and auth algorithm (their buffers are sized by them). */
    @Override
    public boolean bind(Suite other) {
        if (other == suite) {
            return true;
        }
        if (!(other instanceof CryptoSuite s) || s.cipher() != suite.cipher() || s.auth() != suite.auth()) {
            return false;
        }
        kdf.rekey(s);
        suite = s;
        tagLength = s.tagLength();
        keysValid = false; // the derived keys were another connection's
        return true;
    }

    @Override
    public int tagLength() {
        return tagLength;
    }

    /**
     * Encrypts {@code buf[8, end)} and appends the tag, the header at 0..7 being already written by the sender of
     * role {@code sender}. {@code buf} must have room for the tag after {@code end}.
     *
     * @return the datagram length, {@code end + tagLength()}
     */
    @Override
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
    @Override
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
    @Override
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
        int off = SatpLayout.HEADER_LENGTH;
        int len = end - off;
        if (len > ctrOut.length) {
            ctrOut = new byte[len]; // longer than any SATP datagram: not on the packet path
        }
        try {
            ctr.init(Cipher.ENCRYPT_MODE, cipherKey, iv);
            // Not in place: for input == output the JCE (CipherCore) copies the whole input to a new array first.
            // Writing to our own buffer and copying back costs the same copy without the allocation.
            ctr.doFinal(buf, off, len, ctrOut, 0);
            System.arraycopy(ctrOut, 0, buf, off, len);
        } catch (InvalidKeyException | InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("AES-CTR rejected a derived key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR failed", e);
        }
    }
}
