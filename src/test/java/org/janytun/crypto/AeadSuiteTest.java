package org.janytun.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.janytun.session.DropReason;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The AEAD data suites through the real {@link SatpSession}: the datagram layout and nonce of docs/SATP-SESSIONS.md
 * (checked against a direct JCE computation and pinned), header as associated data, tampering, reflection,
 * replays, nonce-reuse refusal, and no allocation per packet.
 */
class AeadSuiteTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int MUX = 0x0102;

    static AeadSuite suite(AeadAlgorithm a) {
        return new AeadSuite(a, fill(32, 0x10), fill(12, 0x20), fill(32, 0x30), fill(12, 0x40));
    }

    private static byte[] fill(int n, int start) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (start + i);
        }
        return b;
    }

    /** A 20-byte IPv4-looking inner packet. */
    private static byte[] inner() {
        byte[] p = fill(20, 0);
        p[0] = 0x45;
        return p;
    }

    private static int seal(SatpSession s, byte[] buf, byte[] inner, PacketResult out) {
        System.arraycopy(inner, 0, buf, SatpLayout.INNER_OFFSET, inner.length);
        assertTrue(s.seal(buf, inner.length, out));
        return out.datagramLength();
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void theDatagramIsTheHeaderThenTheAeadOfPayloadTypeAndInnerWithTheSpecsNonce(AeadAlgorithm a) throws Exception {
        AeadSuite suite = suite(a);
        SatpSession left = new SatpSession(suite, Role.LEFT, 0x0a0b, MUX, DeviceType.TUN, 64);
        left.setNextSeq(0x01020304);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        PacketResult out = new PacketResult();
        int len = seal(left, buf, inner(), out);
        assertEquals(8 + 2 + 20 + 16, len);
        assertEquals("010203040a0b0102", HEX.formatHex(buf, 0, 8));

        // the same with the JCE directly: nonce = iv ⊕ (0000 ‖ sender id ‖ mux ‖ 0000 ‖ seq)
        byte[] nonce = fill(12, 0x20);
        byte[] mask = HEX.parseHex("00000a0b0102000001020304");
        for (int i = 0; i < 12; i++) {
            nonce[i] ^= mask[i];
        }
        Cipher c = Cipher.getInstance(a == AeadAlgorithm.AES_256_GCM ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305");
        SecretKeySpec key = new SecretKeySpec(fill(32, 0x10), a == AeadAlgorithm.AES_256_GCM ? "AES" : "ChaCha20");
        c.init(Cipher.ENCRYPT_MODE, key, a == AeadAlgorithm.AES_256_GCM ? new GCMParameterSpec(128, nonce)
                : new IvParameterSpec(nonce));
        c.updateAAD(HEX.parseHex("010203040a0b0102"));
        byte[] plain = new byte[22];
        plain[1] = 0x00; // payload type 0x0800 (IPv4)
        plain[0] = 0x08;
        System.arraycopy(inner(), 0, plain, 2, 20);
        assertArrayEquals(c.doFinal(plain), Arrays.copyOfRange(buf, 8, len));
        // pinned for docs/SATP-SESSIONS.md §8
        assertEquals(a == AeadAlgorithm.AES_256_GCM ? "010203040a0b01025269bf2635b4678ea9e436c3e1037ad063883218332941655a0bfcc3b7ae931eaafb010c7f68" : "010203040a0b0102e244a26205cda2d650a6ffdbb4fc716985ee9f100fb4bf3114f96fa3b4d30ffb032521f4860a", HEX.formatHex(buf, 0, len));

        SatpSession right = new SatpSession(suite, Role.RIGHT, 0x0c0d, MUX, DeviceType.TUN, 64);
        PacketResult opened = new PacketResult();
        assertTrue(right.open(buf, len, opened), () -> String.valueOf(opened.drop()));
        assertEquals(20, opened.innerLength());
        assertArrayEquals(inner(), Arrays.copyOfRange(buf, SatpLayout.INNER_OFFSET, SatpLayout.INNER_OFFSET + 20));
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void everyTamperedByteOfHeaderCiphertextOrTagIsRefusedAndLeavesTheBufferAlone(AeadAlgorithm a) {
        AeadSuite suite = suite(a);
        SatpSession left = new SatpSession(suite, Role.LEFT, 7, MUX, DeviceType.TUN, 64);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        int len = seal(left, buf, inner(), new PacketResult());
        for (int i = 0; i < len; i++) {
            if (i == SatpLayout.MUX_OFFSET || i == SatpLayout.MUX_OFFSET + 1) {
                continue; // a wrong mux is dropped before any crypto
            }
            byte[] t = buf.clone();
            t[i] ^= 0x40;
            byte[] before = t.clone();
            SatpSession right = new SatpSession(suite, Role.RIGHT, 8, MUX, DeviceType.TUN, 64);
            PacketResult r = new PacketResult();
            assertFalse(right.open(t, len, r), "byte " + i);
            assertEquals(DropReason.BAD_TAG, r.drop(), "byte " + i);
            assertArrayEquals(before, t, "byte " + i);
        }
        SatpSession right = new SatpSession(suite, Role.RIGHT, 8, MUX, DeviceType.TUN, 64);
        PacketResult r = new PacketResult();
        assertFalse(right.open(buf.clone(), len - 1, r), "truncated");
        assertEquals(DropReason.BAD_TAG, r.drop());
        assertFalse(right.open(buf.clone(), 8 + 15, r), "shorter than a tag");
    }

    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void replaysReflectionsAndOtherKeysAreRefused(AeadAlgorithm a) {
        AeadSuite suite = suite(a);
        SatpSession left = new SatpSession(suite, Role.LEFT, 7, MUX, DeviceType.TUN, 64);
        SatpSession right = new SatpSession(suite, Role.RIGHT, 8, MUX, DeviceType.TUN, 64);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        int len = seal(left, buf, inner(), new PacketResult());
        byte[] copy = buf.clone();
        PacketResult r = new PacketResult();
        // reflected to its sender: the other direction's key
        assertFalse(left.open(buf.clone(), len, r));
        assertEquals(DropReason.BAD_TAG, r.drop());
        // another key pair (a new handshake) never opens it
        SatpSession stranger = new SatpSession(suite.throwaway(), Role.RIGHT, 8, MUX, DeviceType.TUN, 64);
        assertFalse(stranger.open(buf.clone(), len, r));
        assertEquals(DropReason.BAD_TAG, r.drop());
        assertTrue(right.open(buf, len, r));
        assertFalse(right.open(copy.clone(), len, r));
        assertEquals(DropReason.REPLAYED, r.drop());
        // the other direction works under its own key
        int back = seal(right, buf, inner(), new PacketResult());
        assertTrue(left.open(buf, back, r));
    }

    /** A keepalive (payload type 0 and nothing else) is authentic, moves the endpoint and delivers nothing. */
    @Test
    void aKeepaliveIsAuthenticAndEmpty() {
        AeadSuite suite = suite(AeadAlgorithm.AES_256_GCM);
        SatpSession left = new SatpSession(suite, Role.LEFT, 7, MUX, DeviceType.TUN, 64);
        SatpSession right = new SatpSession(suite, Role.RIGHT, 8, MUX, DeviceType.TUN, 64);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        int len = left.sealAs(buf, 0, 0, 0);
        assertEquals(8 + 2 + 16, len);
        PacketResult r = new PacketResult();
        assertFalse(right.open(buf, len, r));
        assertEquals(DropReason.EMPTY_PAYLOAD, r.drop());
        assertTrue(r.authentic());
        assertTrue(r.movesEndpoint());
    }

    @Test
    void sealingASequenceNumberTwiceUnderOneKeyIsRefused() {
        AeadSuite suite = suite(AeadAlgorithm.AES_256_GCM);
        SatpSession left = new SatpSession(suite, Role.LEFT, 7, MUX, DeviceType.TUN, 64);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        seal(left, buf, inner(), new PacketResult());
        seal(left, buf, inner(), new PacketResult());
        left.setNextSeq(1);
        assertThrows(IllegalStateException.class, () -> seal(left, buf, inner(), new PacketResult()));
        // a second session (another sender thread) on the same key cannot reuse a number either
        SatpSession again = new SatpSession(suite, Role.LEFT, 9, MUX, DeviceType.TUN, 64);
        assertThrows(IllegalStateException.class, () -> seal(again, buf, inner(), new PacketResult()));
        // the other role's numbers are independent
        seal(new SatpSession(suite, Role.RIGHT, 8, MUX, DeviceType.TUN, 64), buf, inner(), new PacketResult());
        assertFalse(suite.toString().contains("10111213"));
    }

    /** The start-up warm-up seals and opens through a throwaway twin of the suite, as it does for the legacy one. */
    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void theJitWarmUpRunsOnAThrowawayTwin(AeadAlgorithm a) {
        AeadSuite suite = suite(a);
        assertEquals(5_000, org.janytun.warmup.JitWarmup.runCrypto(suite, DeviceType.TUN, 5_000, () -> true));
        // the tunnel's own keys were not used: it can still seal from sequence number 0
        seal(new SatpSession(suite, Role.LEFT, 7, MUX, DeviceType.TUN, 64), new byte[SatpLayout.BUFFER_SIZE],
                inner(), new PacketResult());
    }

    /**
     * Steady state: our code allocates nothing per packet. The JCE cannot change an AEAD nonce without
     * {@code Cipher.init}, and its init builds new engine objects each time (GCM: GHASH, GCTR, buffers, ≈ 0.9 KB;
     * ChaCha20-Poly1305: the Poly1305 state, ≈ 2.1 KB). So this measures the bare JCE loop (init, AAD, doFinal
     * for seal and for open) beside the real session's, and requires that the session adds less than 16 bytes per
     * packet to what the JCE itself allocates; the JCE's figure is recorded in docs/PERFORMANCE.md.
     */
    @ParameterizedTest
    @EnumSource(AeadAlgorithm.class)
    void sealAndOpenAllocateNothingBeyondTheJcesInit(AeadAlgorithm a) throws Exception {
        AeadSuite suite = suite(a);
        SatpSession tx = new SatpSession(suite, Role.LEFT, 1, MUX, DeviceType.TUN, 0);
        SatpSession rx = new SatpSession(suite, Role.RIGHT, 2, MUX, DeviceType.TUN, 64);
        PacketResult sealed = new PacketResult();
        PacketResult opened = new PacketResult();
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        int packets = 20_000;
        long ours = 0;
        for (int round = 0; round < 4; round++) { // the first rounds warm up (class loading, JIT)
            long before = allocated();
            for (int i = 0; i < packets; i++) {
                buf[SatpLayout.INNER_OFFSET] = 0x45;
                assertTrue(tx.seal(buf, 1400, sealed));
                assertTrue(rx.open(buf, sealed.datagramLength(), opened));
            }
            ours = allocated() - before;
        }
        long jce = bareJce(a, packets);
        long extra = (ours - jce) / packets;
        assertTrue(extra < 16, "the session allocates " + extra + " bytes per packet beyond the JCE's " + jce / packets
                + " (" + a.optionName() + ")");
    }

    /** Bytes the bare JCE allocates for {@code packets} seals and opens of 1412 bytes with fresh nonces. */
    private static long bareJce(AeadAlgorithm a, int packets) throws Exception {
        boolean gcm = a == AeadAlgorithm.AES_256_GCM;
        Cipher enc = Cipher.getInstance(a.transformation);
        Cipher dec = Cipher.getInstance(a.transformation);
        SecretKeySpec key = new SecretKeySpec(new byte[32], a.keyAlgorithm);
        byte[] in = new byte[2048];
        byte[] ct = new byte[2048];
        byte[] pt = new byte[2048];
        byte[][] nonce = new byte[packets][12];
        java.security.spec.AlgorithmParameterSpec[] specs = new java.security.spec.AlgorithmParameterSpec[packets];
        long result = 0;
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < packets; i++) { // fresh nonces, made outside the measurement
                nonce[i][0] = (byte) round;
                SatpLayout.putInt(nonce[i], 8, i);
                specs[i] = gcm ? new GCMParameterSpec(128, nonce[i]) : new IvParameterSpec(nonce[i]);
            }
            long before = allocated();
            for (int i = 0; i < packets; i++) {
                enc.init(Cipher.ENCRYPT_MODE, key, specs[i]);
                enc.updateAAD(in, 0, 8);
                int n = enc.doFinal(in, 8, 1402, ct, 0);
                dec.init(Cipher.DECRYPT_MODE, key, specs[i]);
                dec.updateAAD(in, 0, 8);
                dec.doFinal(ct, 0, n, pt, 0);
            }
            result = allocated() - before;
        }
        return result;
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }
}
