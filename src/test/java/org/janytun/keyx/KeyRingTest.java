package org.janytun.keyx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.janytun.crypto.AeadSuite;
import org.janytun.crypto.Role;
import org.janytun.noise.NoiseCipher;
import org.janytun.noise.Protocol;
import org.janytun.noise.X25519;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.Test;

/**
 * Key rotation without loss (docs/SATP-SESSIONS.md §6.2) with real handshakes and sessions: datagrams sealed under
 * the old pair and delivered after the new one is installed still open, on both sides; the responder switches
 * only once the initiator's first datagram under the new pair arrives; old pairs are retired (wiped) on time.
 */
class KeyRingTest {
    private static final long S = 1_000_000_000L;
    private static final int MUX = 3;
    private final SecureRandom random = new SecureRandom();
    private final X25519.KeyPair client = X25519.generate(random);
    private final X25519.KeyPair server = X25519.generate(random);
    private final Protocol protocol = Protocol.ikPsk2(NoiseCipher.AESGCM, true);
    private final List<SatpSession> retired = new ArrayList<>();
    private final KeyRing<SatpSession> clientRing = new KeyRing<>(this::retire);
    private final KeyRing<SatpSession> serverRing = new KeyRing<>(this::retire);
    private int delivered;

    private void retire(SatpSession s) {
        retired.add(s);
        ((AeadSuite) s.suite()).wipe();
    }

    /** One handshake: the server picks the phase; the server installs first (as its response leaves), then the client. */
    private SatpSession[] handshake(long serverNow) throws Exception {
        var init = new SessionHandshake.Initiator(protocol, client, server.publicKey(), null, 1, 11, Instant.now(),
                random);
        byte[] initiation = init.initiation(null);
        var in = new SessionHandshake.Responder(protocol, server, 2, random).read(initiation, initiation.length, null);
        var answer = in.answer(null, MUX, serverRing.freePhase(), 22, null);
        var s = answer.established();
        SatpSession serverSession = session(s.suite(), Role.RIGHT, 2, s.keyPhase());
        serverRing.installAsResponder(serverSession, s.keyPhase(), serverNow);
        var c = init.consume(answer.datagram(), answer.datagram().length);
        return new SatpSession[] {session(c.suite(), Role.LEFT, 1, c.keyPhase()), serverSession};
    }

    private static SatpSession session(AeadSuite suite, Role role, int senderId, int phase) {
        SatpSession s = new SatpSession(suite, role, senderId, MUX, DeviceType.TUN, 64);
        s.setNextSeq(KeyRing.firstSeq(phase));
        return s;
    }

    private static byte[] seal(SatpSession s) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        PacketResult r = new PacketResult();
        assertTrue(s.seal(buf, 20, r));
        return java.util.Arrays.copyOf(buf, r.datagramLength());
    }

    /** Receives as the data path will: pick the pair by phase, open, tell the ring. */
    private void receive(KeyRing<SatpSession> ring, byte[] d, long now) {
        SatpSession s = ring.forReceive(SatpLayout.seq(d), now);
        assertNotNull(s, "no pair for phase " + KeyRing.phase(SatpLayout.seq(d)));
        byte[] buf = java.util.Arrays.copyOf(d, SatpLayout.BUFFER_SIZE);
        PacketResult r = new PacketResult();
        assertTrue(s.open(buf, d.length, r), () -> String.valueOf(r.drop()));
        ring.received(s);
        delivered++;
    }

    @Test
    void aRekeyLosesNoDatagramInEitherDirection() throws Exception {
        long t = 1000 * S;
        SatpSession[] first = handshake(t);
        clientRing.installAsInitiator(first[0], KeyRing.phase(first[0].nextSeq()), t);
        assertNull(serverRing.forSend(t), "the responder waits for the initiator's first datagram");
        receive(serverRing, seal(clientRing.forSend(t)), t);
        assertSame(first[1], serverRing.forSend(t));
        receive(clientRing, seal(serverRing.forSend(t)), t);

        // 121 s later the initiator re-keys; datagrams are in flight both ways meanwhile
        t += 121 * S;
        assertTrue(clientRing.wantsRekey(t, 0));
        assertFalse(serverRing.wantsRekey(t, 0), "the responder leaves re-keying to the initiator");
        byte[] clientOld1 = seal(clientRing.forSend(t));
        SatpSession[] second = handshake(t);                      // the server holds it as next
        assertEquals(1, KeyRing.phase(second[1].nextSeq()));
        byte[] serverOld = seal(serverRing.forSend(t));          // still under the first pair
        byte[] clientOld2 = seal(clientRing.forSend(t));
        clientRing.installAsInitiator(second[0], 1, t);          // the client switches at once
        byte[] clientNew = seal(clientRing.forSend(t));
        assertEquals(1, KeyRing.phase(SatpLayout.seq(clientNew)));

        receive(clientRing, serverOld, t);                       // previous pair on the client
        receive(serverRing, clientOld1, t);                      // current pair on the server
        receive(serverRing, clientNew, t);                       // next → current
        assertSame(second[1], serverRing.forSend(t));
        receive(serverRing, clientOld2, t);                      // late, under what is now previous
        receive(clientRing, seal(serverRing.forSend(t)), t);
        assertEquals(7, delivered, "every datagram opened");
        assertEquals(List.of(), retired);

        // the first pair is retired (and wiped) once REJECT_AFTER_TIME has passed since it was made
        t += 60 * S;
        clientRing.expire(t);
        serverRing.expire(t);
        assertEquals(List.of(first[0], first[1]), retired);
        assertNull(serverRing.forReceive(KeyRing.firstSeq(0), t));
        assertNotNull(serverRing.forReceive(KeyRing.firstSeq(1), t));
    }

    @Test
    void phasesSequenceNumbersAndLimits() {
        KeyRing<String> ring = new KeyRing<>(s -> { });
        long t = 0;
        assertEquals(0, ring.freePhase());
        ring.installAsInitiator("a", 0, t);
        assertEquals(1, ring.freePhase());
        ring.installAsInitiator("b", 1, t);
        ring.installAsResponder("c", ring.freePhase(), t);
        assertEquals(3, ring.freePhase());
        assertEquals("a", ring.forReceive(KeyRing.firstSeq(0) + 5, t));
        assertEquals("b", ring.forReceive(KeyRing.firstSeq(1), t));
        assertEquals("c", ring.forReceive(KeyRing.firstSeq(2), t));
        assertNull(ring.forReceive(KeyRing.firstSeq(3), t));
        assertNull(ring.forReceive(KeyRing.firstSeq(1) + KeyRing.REJECT_AFTER_MESSAGES, t), "past the message limit");
        assertEquals(0xC0000000, KeyRing.firstSeq(3));
        assertEquals(3, KeyRing.phase(0xC0000001));
        assertEquals(1, KeyRing.counter(0xC0000001));
        assertTrue(ring.wantsRekey(t, KeyRing.REKEY_AFTER_MESSAGES), "by count");
        assertNull(ring.forSend(t + KeyRing.REJECT_AFTER_TIME * S), "too old to send");
        List<String> gone = new ArrayList<>();
        KeyRing<String> r2 = new KeyRing<>(gone::add);
        r2.installAsInitiator("x", 2, t);
        r2.installAsResponder("y", 2, t);                         // the same phase replaces the old pair
        assertEquals(List.of("x"), gone);
        r2.clear();
        assertEquals(List.of("x", "y"), gone);
    }
}
