package org.janytun.keyx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.janytun.fuzz.Seeds;
import org.junit.jupiter.api.Test;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.janytun.noise.NoiseCipher;
import org.janytun.noise.NoiseException;
import org.janytun.noise.Protocol;
import org.janytun.noise.SeededRandom;
import org.janytun.noise.X25519;

/**
 * Coverage-guided fuzzing of everything an outsider can send to the SATP-session control handler: initiations
 * (with mac1 recomputed, as anyone who knows the responder's public key can, so the fuzzer reaches the Noise and
 * ML-KEM code), responses to a fixed initiation, cookie replies, rekey-requests, and session records as a sync peer
 * sends them. Seeds are genuine messages of a seeded handshake ({@link #main} writes them). Invariants: only the
 * documented exception ({@link NoiseException}, or {@link IllegalArgumentException} for records); whatever is
 * accepted is genuine (the client's key, the genuine response's keys, the genuine timestamp), and a record that
 * parses encodes back to the same bytes.
 */
class HandshakeFuzzTest {
    static final Protocol PROTOCOL = Protocol.ikPsk2(NoiseCipher.AESGCM, true);
    static final X25519.KeyPair CLIENT = X25519.fromPrivate(org.janytun.noise.Hkdf.hash(new byte[] {1}));
    static final X25519.KeyPair SERVER = X25519.fromPrivate(org.janytun.noise.Hkdf.hash(new byte[] {2}));
    static final Instant T = Instant.parse("2026-12-07T08:00:00Z");
    static final byte[] REKEY_KEY = org.janytun.noise.Hkdf.hash(new byte[] {3});
    static final byte[] COOKIE_SECRET = org.janytun.noise.Hkdf.hash(new byte[] {4});

    static SessionHandshake.Initiator initiator() {
        return new SessionHandshake.Initiator(PROTOCOL, CLIENT, SERVER.publicKey(), null, 1, 7, T,
                new SeededRandom("fuzz initiator"));
    }

    static SessionHandshake.Responder responder() {
        return new SessionHandshake.Responder(PROTOCOL, SERVER, 2, new SeededRandom("fuzz responder"));
    }

    @FuzzTest(maxDuration = "30s")
    void initiation(byte[] d) {
        if (d.length == SessionHandshake.initiationLength(PROTOCOL)) {
            Macs.mac(Macs.mac1Key(SERVER.publicKey()), d, d.length - 32, d, d.length - 32);
        }
        try {
            SessionHandshake.Incoming in = responder().read(d, d.length, null);
            assertArrayEquals(CLIENT.publicKey(), in.peerStatic(), "only the client's initiations decrypt");
            in.refuse();
        } catch (NoiseException expected) {
            // dropped and counted by the daemon
        }
    }

    @FuzzTest(maxDuration = "30s")
    void response(byte[] d) throws NoiseException {
        SessionHandshake.Initiator init = initiator();
        init.initiation(null);
        try {
            SessionHandshake.Established e = init.consume(d, d.length);
            assertArrayEquals(SERVER.publicKey(), e.peerStatic());
            assertEquals(5, e.mux(), "only the genuine response completes");
        } catch (NoiseException expected) {
            // dropped
        }
    }

    @FuzzTest(maxDuration = "30s")
    void cookieReply(byte[] d) {
        byte[] initiation = initiator().initiation(null);
        try {
            byte[] cookie = Cookies.open(d, d.length, initiation, SERVER.publicKey());
            assertArrayEquals(new Cookies(COOKIE_SECRET).cookie(new byte[] {127, 0, 0, 1}, 1, 0), cookie);
        } catch (NoiseException expected) {
            // dropped
        }
    }

    @FuzzTest(maxDuration = "30s")
    void rekeyRequest(byte[] d) {
        RekeyRequest.receiverIndex(d, d.length);
        try {
            assertArrayEquals(Tai64n.of(T), RekeyRequest.verify(d, d.length, REKEY_KEY));
        } catch (NoiseException expected) {
            // dropped
        }
    }

    @FuzzTest(maxDuration = "30s")
    void sessionRecord(byte[] d) {
        try {
            assertArrayEquals(d, SessionRecord.decode(d).encode());
        } catch (IllegalArgumentException expected) {
            // refused, counted by the sync reader
        }
    }

    /** The genuine seeds are what a seeded handshake gives today, and each is accepted: the invariants bite. */
    @Test
    void theGenuineSeedsAreCurrentAndAccepted() throws Exception {
        byte[] initiation = Seeds.of(getClass(), "initiation").get(1);
        assertArrayEquals(initiator().initiation(null), initiation);
        responder().read(initiation, initiation.length, null).refuse();
        byte[] response = Seeds.of(getClass(), "response").get(1);
        SessionHandshake.Initiator init = initiator();
        init.initiation(null);
        assertEquals(5, init.consume(response, response.length).mux());
        byte[] reply = Seeds.of(getClass(), "cookieReply").get(1);
        Cookies.open(reply, reply.length, initiation, SERVER.publicKey());
        byte[] rekey = Seeds.of(getClass(), "rekeyRequest").get(1);
        RekeyRequest.verify(rekey, rekey.length, REKEY_KEY);
        SessionRecord.decode(Seeds.of(getClass(), "sessionRecord").get(1));
    }

    /** Writes the genuine seeds: {@code java -cp ... org.janytun.keyx.HandshakeFuzzTest <resources dir>}. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        SessionHandshake.Initiator init = initiator();
        byte[] initiation = init.initiation(null);
        SessionHandshake.Incoming in = responder().read(initiation, initiation.length, null);
        SessionHandshake.Answer answer = in.answer(null, 5, 1, 9, null);
        Files.write(dir.resolve("initiation/genuine"), initiation);
        Files.write(dir.resolve("response/genuine"), answer.datagram());
        Files.write(dir.resolve("cookieReply/genuine"), new Cookies(COOKIE_SECRET).reply(initiation,
                initiation.length, new byte[] {127, 0, 0, 1}, 1, 0, SERVER.publicKey(), 2, new SeededRandom("c")));
        Files.write(dir.resolve("rekeyRequest/genuine"), RekeyRequest.encode(2, 7, Tai64n.of(T), REKEY_KEY));
        Files.write(dir.resolve("sessionRecord/genuine"),
                SessionRecord.of(answer.established(), true, in.timestamp()).encode());
        for (String m : new String[] {"initiation", "response", "cookieReply", "rekeyRequest", "sessionRecord"}) {
            Files.write(dir.resolve(m + "/empty"), new byte[0]);
        }
    }

}
