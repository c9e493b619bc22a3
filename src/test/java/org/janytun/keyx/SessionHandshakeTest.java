package org.janytun.keyx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.crypto.Role;
import org.janytun.noise.NoiseCipher;
import org.janytun.noise.NoiseException;
import org.janytun.noise.Protocol;
import org.janytun.noise.X25519;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The handshake datagrams end to end in memory: initiation → response → data both ways through real
 * {@link SatpSession}s, for both suites with and without PQ; and the checks a responder and an initiator make.
 */
class SessionHandshakeTest {
    private final SecureRandom random = new SecureRandom();
    private final X25519.KeyPair client = X25519.generate(random);
    private final X25519.KeyPair server = X25519.generate(random);
    private final byte[] psk = new byte[32];

    {
        random.nextBytes(psk);
    }

    private SessionHandshake.Initiator initiator(Protocol p, byte[] psk, Instant t) {
        return new SessionHandshake.Initiator(p, client, server.publicKey(), psk, 0x0101, 0x11223344, t, random);
    }

    @ParameterizedTest
    @CsvSource({"AES_256_GCM,true", "AES_256_GCM,false", "CHACHA20_POLY1305,true", "CHACHA20_POLY1305,false"})
    void aHandshakeOverDatagramsGivesBothSidesTheSameDataSuite(AeadAlgorithm a, boolean pq) throws NoiseException {
        Protocol p = Protocol.ikPsk2(SessionKeys.handshakeCipher(a), pq);
        SessionHandshake.Initiator init = initiator(p, psk, Instant.now());
        byte[] initiation = init.initiation(null);
        assertEquals(pq ? 1356 : 156, initiation.length);
        assertTrue(ControlDatagram.isControl(initiation, initiation.length));
        assertEquals(ControlDatagram.INITIATION, ControlDatagram.type(initiation));

        SessionHandshake.Responder resp = new SessionHandshake.Responder(p, server, 0x0202, random);
        SessionHandshake.Incoming in = resp.read(initiation, initiation.length, null);
        assertArrayEquals(client.publicKey(), in.peerStatic());
        assertEquals(0x11223344, in.remoteIndex());
        SessionHandshake.Answer answer = in.answer(psk, 7, 1, 0x55667788, null);
        assertEquals(pq ? 1204 : 100, answer.datagram().length);
        assertTrue(answer.datagram().length < initiation.length, "no amplification");

        SessionHandshake.Established c = init.consume(answer.datagram(), answer.datagram().length);
        SessionHandshake.Established s = answer.established();
        assertEquals(7, c.mux());
        assertEquals(1, c.keyPhase());
        assertEquals(0x55667788, c.remoteIndex());
        assertArrayEquals(server.publicKey(), c.peerStatic());
        assertArrayEquals(c.handshakeHash(), s.handshakeHash());
        assertEquals(a, c.suite().algorithm());

        // data both ways: the initiator is LEFT in the key pair's suite
        SatpSession cs = new SatpSession(c.suite(), Role.LEFT, 0x0101, 7, DeviceType.TUN, 64);
        SatpSession ss = new SatpSession(s.suite(), Role.RIGHT, 0x0202, 7, DeviceType.TUN, 64);
        roundTrip(cs, ss);
        roundTrip(ss, cs);
    }

    private static void roundTrip(SatpSession from, SatpSession to) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        buf[SatpLayout.INNER_OFFSET] = 0x60;
        PacketResult r = new PacketResult();
        assertTrue(from.seal(buf, 40, r));
        assertTrue(to.open(buf, r.datagramLength(), r), () -> String.valueOf(r.drop()));
        assertEquals(40, r.innerLength());
    }

    @Test
    void mac1IsCheckedBeforeAnyPublicKeyWorkAndCookiesGateMac2() {
        Protocol p = Protocol.ikPsk2(NoiseCipher.AESGCM, true);
        SessionHandshake.Responder resp = new SessionHandshake.Responder(p, server, 2, random);
        byte[] good = initiator(p, psk, Instant.now()).initiation(null);
        assertTrue(resp.precheck(good, good.length, null));
        byte[] bad = good.clone();
        bad[good.length - 32] ^= 1; // mac1
        assertFalse(resp.precheck(bad, bad.length, null));
        assertThrows(NoiseException.class, () -> resp.read(bad, bad.length, null));
        assertFalse(resp.precheck(good, good.length - 1, null));
        // for another server key the mac1 is wrong: a scanner that lacks the key gets nowhere
        SessionHandshake.Responder other = new SessionHandshake.Responder(p, X25519.generate(random), 2, random);
        assertFalse(other.precheck(good, good.length, null));
        // under load, mac2 must carry the cookie
        byte[] cookie = new byte[16];
        random.nextBytes(cookie);
        assertFalse(resp.precheck(good, good.length, cookie));
        byte[] withCookie = initiator(p, psk, Instant.now()).initiation(cookie);
        assertTrue(resp.precheck(withCookie, withCookie.length, cookie));
        // the hybrid and the classic lengths never mix
        SessionHandshake.Responder classic = new SessionHandshake.Responder(Protocol.ikPsk2(NoiseCipher.AESGCM,
                false), server, 2, random);
        assertFalse(classic.precheck(good, good.length, null));
    }

    @Test
    void aWrongPskGivesTheInitiatorNoSession() throws NoiseException {
        Protocol p = Protocol.ikPsk2(NoiseCipher.AESGCM, true);
        SessionHandshake.Initiator init = initiator(p, psk, Instant.now());
        byte[] initiation = init.initiation(null);
        SessionHandshake.Incoming in = new SessionHandshake.Responder(p, server, 2, random)
                .read(initiation, initiation.length, null);
        byte[] other = psk.clone();
        other[0] ^= 1;
        byte[] response = in.answer(other, 7, 0, 1, null).datagram();
        assertThrows(NoiseException.class, () -> init.consume(response, response.length));
    }

    @Test
    void responsesForAnotherAttemptOrTamperedAreRefused() throws NoiseException {
        Protocol p = Protocol.ikPsk2(NoiseCipher.CHACHAPOLY, true);
        SessionHandshake.Initiator init = initiator(p, psk, Instant.now());
        byte[] initiation = init.initiation(null);
        byte[] response = new SessionHandshake.Responder(p, server, 2, random).read(initiation, initiation.length, null)
                .answer(psk, 7, 0, 1, null).datagram();
        byte[] wrongIndex = response.clone();
        wrongIndex[15] ^= 1;
        assertThrows(NoiseException.class, () -> init.consume(wrongIndex, wrongIndex.length));
        byte[] tampered = response.clone();
        tampered[500] ^= 1;
        // mac1 fails first; with mac1 recomputed by an attacker who knows the client's public key, Noise fails
        assertThrows(NoiseException.class, () -> init.consume(tampered, tampered.length));
        Macs.mac(Macs.mac1Key(client.publicKey()), tampered, tampered.length - 32, tampered, tampered.length - 32);
        assertThrows(NoiseException.class, () -> init.consume(tampered, tampered.length));
    }

    @Test
    void timestampsOrderInitiationsAndHideTheFineClock() throws NoiseException {
        Instant t = Instant.parse("2026-12-07T07:00:00.123456789Z");
        byte[] a = Tai64n.of(t);
        assertEquals("400000006b16597a07000000", java.util.HexFormat.of().formatHex(a));
        assertTrue(Tai64n.after(Tai64n.of(t.plusMillis(20)), a));
        assertFalse(Tai64n.after(Tai64n.of(t.plusNanos(1000)), a), "finer than 2^24 ns is not visible");
        assertFalse(Tai64n.after(a, a));
        Protocol p = Protocol.ikPsk2(NoiseCipher.AESGCM, false);
        byte[] initiation = initiator(p, psk, t).initiation(null);
        SessionHandshake.Incoming in = new SessionHandshake.Responder(p, server, 2, random)
                .read(initiation, initiation.length, null);
        assertArrayEquals(a, in.timestamp());
        in.refuse();
    }

    @Test
    void establishedPrintsNoKeys() throws NoiseException {
        Protocol p = Protocol.ikPsk2(NoiseCipher.AESGCM, false);
        SessionHandshake.Initiator init = initiator(p, psk, Instant.now());
        byte[] initiation = init.initiation(null);
        var answer = new SessionHandshake.Responder(p, server, 2, random).read(initiation, initiation.length, null)
                .answer(psk, 7, 0, 1, null);
        String s = answer.established().toString();
        assertFalse(s.contains(java.util.HexFormat.of().formatHex(psk, 0, 4)), s);
        assertTrue(s.contains("aes-256-gcm"), s);
        assertFalse(Arrays.equals(psk, new byte[32]));
    }
}
