package org.janytun.keyx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
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
 * Session records: a second node that only received the record over the sync opens the client's data and
 * (with its own sender id) sends data the client opens; the encoding is exact and refuses what it is not.
 */
class SessionRecordTest {
    private final SecureRandom random = new SecureRandom();

    private final X25519.KeyPair client = X25519.generate(random);
    private final X25519.KeyPair server = X25519.generate(random);

    /** Both sides of one handshake: the client's session, the server's read initiation and answer. */
    private record Both(SessionHandshake.Established client, SessionHandshake.Incoming in,
                        SessionHandshake.Answer answer) {}

    private Both handshake(Protocol p, int keyPhase) throws Exception {
        var init = new SessionHandshake.Initiator(p, client, server.publicKey(), null, 1, 42, Instant.now(), random);
        byte[] initiation = init.initiation(null);
        var in = new SessionHandshake.Responder(p, server, 0x0a, random).read(initiation, initiation.length, null);
        var answer = in.answer(null, 5, keyPhase, 77, null);
        return new Both(init.consume(answer.datagram(), answer.datagram().length), in, answer);
    }

    @Test
    void anotherNodeCarriesTheSessionFromTheRecordAlone() throws Exception {
        Both both = handshake(Protocol.ikPsk2(NoiseCipher.CHACHAPOLY, true), 2);
        var in = both.in();
        var answer = both.answer();
        var c = both.client();

        byte[] wire = SessionRecord.of(answer.established(), false, in.timestamp()).encode();
        assertEquals(SessionRecord.LENGTH, wire.length);
        SessionRecord r = SessionRecord.decode(wire);
        assertEquals(SessionRecord.of(answer.established(), false, in.timestamp()), r);
        assertEquals(5, r.mux());
        assertEquals(2, r.keyPhase());
        assertFalse(r.initiator());
        assertFalse(r.toString().contains(HexFormat.of().formatHex(r.keys().keyI2r(), 0, 4)), r.toString());

        // node B: sender id 0x0b, keys from the record only
        SatpSession nodeB = new SatpSession(r.keys().suite(), Role.RIGHT, 0x0b, 5, DeviceType.TUN, 64);
        SatpSession clientSession = new SatpSession(c.suite(), Role.LEFT, 1, 5, DeviceType.TUN, 64);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        PacketResult res = new PacketResult();
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        assertTrue(clientSession.seal(buf, 20, res));
        assertTrue(nodeB.open(buf, res.datagramLength(), res));
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        assertTrue(nodeB.seal(buf, 20, res));
        assertTrue(clientSession.open(buf, res.datagramLength(), res));
        assertEquals(0x0b, res.senderId());
    }

    @Test
    void malformedRecordsAreRefused() throws Exception {
        Both both = handshake(Protocol.ikPsk2(NoiseCipher.AESGCM, false), 0);
        byte[] good = SessionRecord.of(both.answer().established(), true, both.in().timestamp()).encode();
        assertTrue(SessionRecord.decode(good).confirmed());
        assertThrows(IllegalArgumentException.class, () -> SessionRecord.decode(java.util.Arrays.copyOf(good, 189)));
        for (int[] change : new int[][] {{0, 2}, {41, 4}, {42, 4}, {43, 3}, {188, 0xFF}}) {
            byte[] bad = good.clone();
            bad[change[0]] = (byte) change[1];
            if (change[0] == 188) {
                bad[189] = (byte) 0xFF; // mux 0xFFFF is reserved
            }
            assertThrows(IllegalArgumentException.class, () -> SessionRecord.decode(bad), "byte " + change[0]);
        }
    }
}
