package org.janytun.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hybrid pattern {@code Noise_IKhfs+psk2_25519+MLKEM768_*_SHA256}: the token order is the one noise_hfs.md
 * gives, pinned vectors from seeded randomness, a cross-check against {@link MiniIkHfsPsk2} (written separately
 * from the spec), and the failures a wrong key, PSK or tampered byte must cause.
 */
class HybridHandshakeTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] PROLOGUE = "janytun test".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PSK = bytes("psk");
    private static final byte[] INIT_STATIC = bytes("initiator static");
    private static final byte[] RESP_STATIC = bytes("responder static");

    private static byte[] bytes(String label) {
        return Hkdf.hash(label.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void theHfsModifierPlacesItsTokensAsTheExtensionSays() {
        HandshakePattern p = HandshakePattern.parse("IKhfs+psk2");
        assertEquals(List.of(List.of(Token.E, Token.ES, Token.E1, Token.S, Token.SS),
                List.of(Token.E, Token.EE, Token.EKEM1, Token.SE, Token.PSK)), p.messages());
        assertEquals(List.of(List.of(Token.E, Token.E1, Token.S), List.of(Token.E, Token.EE, Token.EKEM1, Token.SE,
                Token.ES)), HandshakePattern.parse("IK1hfs").messages());
        assertEquals(List.of(List.of(Token.PSK, Token.E, Token.ES, Token.S, Token.SS), List.of(Token.E, Token.EE,
                Token.SE)), HandshakePattern.parse("IKpsk0").messages());
        assertThrows(IllegalArgumentException.class, () -> Protocol.parse("Noise_IKhfs_25519_AESGCM_SHA256"));
        assertThrows(IllegalArgumentException.class, () -> Protocol.parse("Noise_XX_25519_AESGCM_SHA256"));
    }

    /** Both sides' messages, hash and split keys for one seeded run. */
    record Run(byte[] m1, byte[] m2, byte[] hash, byte[][] keys) {}

    static Run run(NoiseCipher cipher, boolean pq, String seed) throws NoiseException {
        Protocol protocol = Protocol.ikPsk2(cipher, pq);
        X25519.KeyPair is = X25519.fromPrivate(INIT_STATIC.clone());
        X25519.KeyPair rs = X25519.fromPrivate(RESP_STATIC.clone());
        HandshakeState init = new HandshakeState(protocol, true, PROLOGUE, is, null, rs.publicKey(), List.of(PSK),
                new SeededRandom(seed + " initiator"));
        HandshakeState resp = new HandshakeState(protocol, false, PROLOGUE, rs, null, null, List.of(PSK),
                new SeededRandom(seed + " responder"));
        byte[] m1 = init.writeMessage("hello".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), resp.readMessage(m1));
        assertArrayEquals(is.publicKey(), resp.remoteStatic());
        byte[] m2 = resp.writeMessage(new byte[4]);
        assertArrayEquals(new byte[4], init.readMessage(m2));
        assertTrue(init.isComplete() && resp.isComplete());
        assertArrayEquals(init.handshakeHash(), resp.handshakeHash());
        byte[][] ik = init.splitKeys();
        byte[][] rk = resp.splitKeys();
        assertArrayEquals(ik[0], rk[0]);
        assertArrayEquals(ik[1], rk[1]);
        assertFalse(Secrets.equal(ik[0], ik[1]));
        return new Run(m1, m2, init.handshakeHash(), ik);
    }

    @ParameterizedTest
    @EnumSource(NoiseCipher.class)
    void hybridAndClassicHandshakesCompleteWithTheSizesOfTheSpec(NoiseCipher cipher) throws NoiseException {
        Run hybrid = run(cipher, true, "sizes");
        assertEquals(32 + 1184 + 16 + 32 + 16 + 5 + 16, hybrid.m1().length);
        assertEquals(32 + 1088 + 16 + 4 + 16, hybrid.m2().length);
        Run classic = run(cipher, false, "sizes");
        assertEquals(32 + 32 + 16 + 5 + 16, classic.m1().length);
        assertEquals(32 + 4 + 16, classic.m2().length);
    }

    /**
     * Pinned: SHA-256 of each message, the handshake hash and the first split key of a seeded run. They change only
     * if the construction changes (or the JDK changes how ML-KEM draws its randomness: d, z, then m, FIPS 203).
     */
    @Test
    void pinnedHybridVectors() throws NoiseException {
        Run a = run(NoiseCipher.AESGCM, true, "pinned");
        assertEquals("51b3f1f57f64540d089997b43a32fbf0be05dbf03db2fb0f9929fa1e6294a5f5", hex(Hkdf.hash(a.m1())));
        assertEquals("84caa6105cc0e215e6e204b6c5081efdef0483bd763464e28479796d79f3585b", hex(Hkdf.hash(a.m2())));
        assertEquals("c9ed457d70dbbdf8a2e1bbf9b2efffd36cc03546bcb271f5178d60bbd711e116", hex(a.hash()));
        assertEquals("3fb502e883b76a92f085223d8eae10c6b5ddc338d11b07a78eeaa4c482b8f504", hex(a.keys()[0]));
        Run c = run(NoiseCipher.CHACHAPOLY, true, "pinned");
        assertEquals("da5d906d0568cf1c990809b86f6157e50a760129295ff681d8e9fbec508caa5b", hex(c.hash()));
        assertEquals("fdbc04ad963ad2382ed7c08d723b1a1cafd519421d8474e14416ed6d692d0552", hex(c.keys()[1]));
    }

    /** The engine and the straight-line implementation produce the same bytes, in both ciphers. */
    @ParameterizedTest
    @EnumSource(NoiseCipher.class)
    void agreesWithTheIndependentImplementation(NoiseCipher cipher) throws Exception {
        Run engine = run(cipher, true, "cross");
        boolean gcm = cipher == NoiseCipher.AESGCM;
        byte[] rsPub = MiniIkHfsPsk2.pub(RESP_STATIC);
        MiniIkHfsPsk2 mi = new MiniIkHfsPsk2(gcm, PROLOGUE, rsPub);
        MiniIkHfsPsk2 mr = new MiniIkHfsPsk2(gcm, PROLOGUE, rsPub);
        byte[] m1 = mi.initiatorWrite(INIT_STATIC, rsPub, "hello".getBytes(StandardCharsets.US_ASCII),
                new SeededRandom("cross initiator"));
        assertArrayEquals(engine.m1(), m1);
        byte[][] read = mr.responderRead(RESP_STATIC, m1);
        byte[] m2 = mr.responderWrite(read[1], read[2], read[3], PSK, new byte[4], new SeededRandom("cross responder"));
        assertArrayEquals(engine.m2(), m2);
        assertArrayEquals(new byte[4], mi.initiatorRead(INIT_STATIC, PSK, m2));
        assertArrayEquals(engine.hash(), mi.hash());
        assertArrayEquals(engine.hash(), mr.hash());
        assertArrayEquals(engine.keys()[0], mi.split()[0]);
        assertArrayEquals(engine.keys()[1], mr.split()[1]);
    }

    /** Fresh randomness on one side, the other implementation on the other: they interoperate. */
    @Test
    void interoperatesWithTheIndependentImplementationUnderRealRandomness() throws Exception {
        Protocol protocol = Protocol.ikPsk2(NoiseCipher.AESGCM, true);
        byte[] rsPub = MiniIkHfsPsk2.pub(RESP_STATIC);
        HandshakeState init = new HandshakeState(protocol, true, PROLOGUE, X25519.fromPrivate(INIT_STATIC.clone()),
                null, rsPub, List.of(PSK), new java.security.SecureRandom());
        MiniIkHfsPsk2 mr = new MiniIkHfsPsk2(true, PROLOGUE, rsPub);
        byte[][] read = mr.responderRead(RESP_STATIC, init.writeMessage(new byte[0]));
        byte[] m2 = mr.responderWrite(read[1], read[2], read[3], PSK, new byte[0], new java.security.SecureRandom());
        init.readMessage(m2);
        assertArrayEquals(mr.hash(), init.handshakeHash());
        assertArrayEquals(mr.split()[0], init.splitKeys()[0]);
    }

    @Test
    void aWrongPskFailsAtTheInitiatorAndGivesNoKeys() throws NoiseException {
        Protocol protocol = Protocol.ikPsk2(NoiseCipher.AESGCM, true);
        X25519.KeyPair rs = X25519.fromPrivate(RESP_STATIC.clone());
        HandshakeState init = new HandshakeState(protocol, true, PROLOGUE, X25519.fromPrivate(INIT_STATIC.clone()),
                null, rs.publicKey(), List.of(PSK), new SeededRandom("a"));
        HandshakeState resp = new HandshakeState(protocol, false, PROLOGUE, rs, null, null, List.of(bytes("other")),
                new SeededRandom("b"));
        resp.readMessage(init.writeMessage(new byte[0]));
        byte[] m2 = resp.writeMessage(new byte[0]);
        assertThrows(NoiseException.class, () -> init.readMessage(m2));
        assertThrows(IllegalStateException.class, init::splitKeys);
    }

    @Test
    void anInitiationForAnotherResponderKeyFails() {
        Protocol protocol = Protocol.ikPsk2(NoiseCipher.CHACHAPOLY, true);
        HandshakeState init = new HandshakeState(protocol, true, PROLOGUE, X25519.fromPrivate(INIT_STATIC.clone()),
                null, X25519.fromPrivate(bytes("someone else")).publicKey(), List.of(PSK), new SeededRandom("a"));
        HandshakeState resp = new HandshakeState(protocol, false, PROLOGUE, X25519.fromPrivate(RESP_STATIC.clone()),
                null, null, List.of(PSK), new SeededRandom("b"));
        byte[] m1 = init.writeMessage(new byte[0]);
        assertThrows(NoiseException.class, () -> resp.readMessage(m1));
    }

    /** Flipping any one of a sample of bytes (every e, e1, s, ekem1 region included) makes the reader fail. */
    @Test
    void everyTamperedByteIsRefused() throws NoiseException {
        Run good = run(NoiseCipher.AESGCM, true, "tamper");
        for (int at : new int[] {0, 31, 32, 700, 1231, 1232, 1279, 1280, good.m1().length - 1}) {
            HandshakeState resp = responder("tamper");
            byte[] m1 = good.m1().clone();
            m1[at] ^= 1;
            assertThrows(NoiseException.class, () -> resp.readMessage(m1), "m1 byte " + at);
        }
        for (int at : new int[] {0, 31, 32, 600, 1135, 1136, good.m2().length - 1}) {
            Protocol protocol = Protocol.ikPsk2(NoiseCipher.AESGCM, true);
            HandshakeState init = new HandshakeState(protocol, true, PROLOGUE,
                    X25519.fromPrivate(INIT_STATIC.clone()), null, X25519.fromPrivate(RESP_STATIC.clone()).publicKey(),
                    List.of(PSK), new SeededRandom("tamper initiator"));
            init.writeMessage("hello".getBytes(StandardCharsets.US_ASCII));
            byte[] m2 = good.m2().clone();
            m2[at] ^= 1;
            assertThrows(NoiseException.class, () -> init.readMessage(m2), "m2 byte " + at);
        }
        HandshakeState resp = responder("tamper");
        assertThrows(NoiseException.class, () -> resp.readMessage(new byte[100]));
    }

    @Test
    void theClassicAndHybridNamesDoNotInteroperate() throws NoiseException {
        X25519.KeyPair rs = X25519.fromPrivate(RESP_STATIC.clone());
        HandshakeState init = new HandshakeState(Protocol.ikPsk2(NoiseCipher.AESGCM, false), true, PROLOGUE,
                X25519.fromPrivate(INIT_STATIC.clone()), null, rs.publicKey(), List.of(PSK), new SeededRandom("a"));
        HandshakeState resp = new HandshakeState(Protocol.ikPsk2(NoiseCipher.CHACHAPOLY, false), false, PROLOGUE, rs,
                null, null, List.of(PSK), new SeededRandom("b"));
        byte[] m1 = init.writeMessage(new byte[0]);
        assertThrows(NoiseException.class, () -> resp.readMessage(m1));
    }

    private static HandshakeState responder(String seed) {
        return new HandshakeState(Protocol.ikPsk2(NoiseCipher.AESGCM, true), false, PROLOGUE,
                X25519.fromPrivate(RESP_STATIC.clone()), null, null, List.of(PSK), new SeededRandom(seed + " responder"));
    }

    private static String hex(byte[] b) {
        return HEX.formatHex(b);
    }
}
