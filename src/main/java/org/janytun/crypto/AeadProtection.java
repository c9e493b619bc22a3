package org.janytun.crypto;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import org.janytun.wire.SatpLayout;

/**
 * The {@link PacketProtection} of an {@link AeadSuite}, for one thread: AES-256-GCM or ChaCha20-Poly1305 over
 * {@code buf[8, end)} with the 8-byte header as associated data. {@link #authenticate} decrypts into a scratch
 * buffer (the tag is only known at the end of the decryption); {@link #decrypt} then copies the plaintext back,
 * so a datagram that fails never changes {@code buf}.
 *
 * <p>Allocation: keys, nonce and parameter objects are reused (see the two small classes below); what the JCE
 * allocates inside {@code Cipher.init} is measured in {@code AeadSuiteTest} and docs/PERFORMANCE.md.
 */
final class AeadProtection implements PacketProtection {
    private AeadSuite suite;
    private Cipher cipher;
    /** The suite of the last encryption: the JCE refuses that one's (key, nonce) again. */
    private AeadSuite lastSealer;
    private final ReusedKey leftKey;
    private final ReusedKey rightKey;
    /**
     * Two nonces used in turn: the JCE keeps a reference to the last encryption nonce (and, for ChaCha20, key) to
     * refuse a reuse, so rewriting the array it holds would make it see the new nonce as the old one.
     */
    private final byte[][] nonces = new byte[2][AeadAlgorithm.NONCE_LENGTH];
    private final AlgorithmParameterSpec[] params = new AlgorithmParameterSpec[2];
    private int turn;
    private byte[] scratch = new byte[SatpLayout.BUFFER_SIZE];
    /** Which datagram {@link #scratch} holds the plaintext of: its length, or −1. */
    private int openedLength = -1;

    AeadProtection(AeadSuite suite) {
        this.suite = suite;
        AeadAlgorithm a = suite.algorithm();
        this.leftKey = new ReusedKey(suite.key(Role.LEFT), a.keyAlgorithm);
        this.rightKey = new ReusedKey(suite.key(Role.RIGHT), a.keyAlgorithm);
        for (int i = 0; i < params.length; i++) {
            params[i] = a == AeadAlgorithm.AES_256_GCM ? new ReusedGcmSpec(nonces[i]) : new ReusedIv(nonces[i]);
        }
        this.cipher = newCipher(a);
    }

    @Override
    public int tagLength() {
        return AeadAlgorithm.TAG_LENGTH;
    }

    /** Serves any AEAD suite of this engine's algorithm: the key objects read the new suite's keys from now on. */
    @Override
    public boolean bind(Suite other) {
        if (other == suite) {
            return true;
        }
        if (!(other instanceof AeadSuite s) || s.algorithm() != suite.algorithm()) {
            return false;
        }
        leftKey.source(s.key(Role.LEFT));
        rightKey.source(s.key(Role.RIGHT));
        suite = s;
        openedLength = -1;
        return true;
    }

    @Override
    public int seal(Role sender, byte[] buf, int end) {
        suite.claim(sender, SatpLayout.seq(buf));
        int len = end - SatpLayout.HEADER_LENGTH;
        ensureScratch(len + AeadAlgorithm.TAG_LENGTH);
        try {
            init(Cipher.ENCRYPT_MODE, sender, buf);
            cipher.updateAAD(buf, 0, SatpLayout.HEADER_LENGTH);
            int n = cipher.doFinal(buf, SatpLayout.HEADER_LENGTH, len, scratch, 0);
            // not in place: the JCE copies overlapping input to a fresh array first
            System.arraycopy(scratch, 0, buf, SatpLayout.HEADER_LENGTH, n);
            openedLength = -1;
            return SatpLayout.HEADER_LENGTH + n;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(suite.algorithm().optionName() + " failed to seal", e);
        }
    }

    @Override
    public boolean authenticate(Role sender, byte[] buf, int length) {
        openedLength = -1;
        int len = length - SatpLayout.HEADER_LENGTH;
        if (len < AeadAlgorithm.TAG_LENGTH) {
            return false;
        }
        ensureScratch(len);
        try {
            init(Cipher.DECRYPT_MODE, sender, buf);
            cipher.updateAAD(buf, 0, SatpLayout.HEADER_LENGTH);
            cipher.doFinal(buf, SatpLayout.HEADER_LENGTH, len, scratch, 0);
            openedLength = length;
            return true;
        } catch (AEADBadTagException e) {
            return false; // a forged or damaged datagram: the JCE's exception is its only way to say so
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(suite.algorithm().optionName() + " failed to open", e);
        }
    }

    @Override
    public void decrypt(Role sender, byte[] buf, int end) {
        if (openedLength != end + AeadAlgorithm.TAG_LENGTH) {
            throw new IllegalStateException("decrypt without a successful authenticate of this datagram");
        }
        System.arraycopy(scratch, 0, buf, SatpLayout.HEADER_LENGTH, end - SatpLayout.HEADER_LENGTH);
        openedLength = -1;
    }

    /** {@code nonce = iv ⊕ (0x0000 ‖ sender id ‖ mux ‖ 0x0000 ‖ seq)}: header bytes 4..7 at 2..5, 0..3 at 8..11. */
    private void init(int mode, Role sender, byte[] buf) throws GeneralSecurityException {
        turn ^= 1;
        byte[] nonce = nonces[turn];
        System.arraycopy(suite.iv(sender), 0, nonce, 0, AeadAlgorithm.NONCE_LENGTH);
        SatpLayout.xorInt(nonce, 2, SatpLayout.getInt(buf, SatpLayout.SENDER_ID_OFFSET));
        SatpLayout.xorInt(nonce, 8, SatpLayout.seq(buf));
        ReusedKey key = sender == Role.LEFT ? leftKey : rightKey;
        if (mode != Cipher.ENCRYPT_MODE) {
            cipher.init(mode, key, params[turn]);
            return;
        }
        try {
            cipher.init(mode, key, params[turn]);
        } catch (GeneralSecurityException e) {
            if (lastSealer == suite) {
                throw e;
            }
            // The JCE remembers the last (key, nonce) it encrypted under and refuses them again: another suite
            // object with this suite's keys sealed this number last on this thread (tests do; connections have
            // keys of their own). Each suite refuses its own reuse (claim); start afresh as an engine per suite would.
            cipher = newCipher(suite.algorithm());
            cipher.init(mode, key, params[turn]);
        }
        lastSealer = suite;
    }

    private static Cipher newCipher(AeadAlgorithm a) {
        try {
            return Cipher.getInstance(a.transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(a.transformation + " is missing from this JDK", e);
        }
    }

    private void ensureScratch(int len) {
        if (len > scratch.length) {
            scratch = new byte[len]; // longer than any SATP datagram: not on the packet path
        }
    }

    /** The nonce as a GCM parameter whose {@link #getIV} is the live array, not a copy per packet. */
    private static final class ReusedGcmSpec extends GCMParameterSpec {
        private final byte[] nonce;

        ReusedGcmSpec(byte[] nonce) {
            super(AeadAlgorithm.TAG_LENGTH * 8, nonce);
            this.nonce = nonce;
        }

        @Override
        public byte[] getIV() {
            return nonce;
        }
    }
}
