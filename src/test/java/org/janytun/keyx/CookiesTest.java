package org.janytun.keyx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Instant;
import org.janytun.noise.NoiseCipher;
import org.janytun.noise.NoiseException;
import org.janytun.noise.Protocol;
import org.janytun.noise.X25519;
import org.junit.jupiter.api.Test;

/** Cookie replies: the exchange under load, epochs, binding to the initiation, and a cluster sharing a secret. */
class CookiesTest {
    private final SecureRandom random = new SecureRandom();
    private final X25519.KeyPair client = X25519.generate(random);
    private final X25519.KeyPair server = X25519.generate(random);
    private final Protocol p = Protocol.ikPsk2(NoiseCipher.AESGCM, true);
    private final byte[] addr = {127, 0, 0, 2};
    private final byte[] secret = new byte[32];

    {
        random.nextBytes(secret);
    }

    private SessionHandshake.Initiator initiator() {
        return new SessionHandshake.Initiator(p, client, server.publicKey(), null, 1, 99, Instant.now(), random);
    }

    @Test
    void underLoadTheInitiatorEarnsACookieAndItsNextInitiationPasses() throws NoiseException {
        Cookies cookies = new Cookies(secret);
        SessionHandshake.Responder resp = new SessionHandshake.Responder(p, server, 2, random);
        long now = 1_800_000_000L;
        byte[] first = initiator().initiation(null);
        assertTrue(resp.precheck(first, first.length, null), "mac1");
        assertFalse(cookies.mac2Valid(first, first.length, addr, 4444, now));
        byte[] reply = cookies.reply(first, first.length, addr, 4444, now, server.publicKey(), 2, random);
        assertEquals(56, reply.length);
        assertTrue(reply.length < first.length, "no amplification");
        byte[] cookie = Cookies.open(reply, reply.length, first, server.publicKey());
        byte[] second = initiator().initiation(cookie);
        assertTrue(cookies.mac2Valid(second, second.length, addr, 4444, now));
        assertTrue(cookies.mac2Valid(second, second.length, addr, 4444, now + Cookies.EPOCH_SECONDS), "previous epoch");
        assertFalse(cookies.mac2Valid(second, second.length, addr, 4444, now + 2 * Cookies.EPOCH_SECONDS), "expired");
        assertFalse(cookies.mac2Valid(second, second.length, addr, 4445, now), "another port");
        assertFalse(cookies.mac2Valid(second, second.length, new byte[] {127, 0, 0, 3}, 4444, now), "another address");
        // another node of the cluster with the same secret accepts it; a node with another secret does not
        assertTrue(new Cookies(secret.clone()).mac2Valid(second, second.length, addr, 4444, now));
        byte[] other = secret.clone();
        other[0] ^= 1;
        assertFalse(new Cookies(other).mac2Valid(second, second.length, addr, 4444, now));
    }

    @Test
    void aReplyOpensOnlyForItsInitiationAndServer() {
        Cookies cookies = new Cookies(secret);
        long now = 1_800_000_000L;
        byte[] mine = initiator().initiation(null);
        byte[] reply = cookies.reply(mine, mine.length, addr, 1, now, server.publicKey(), 2, random);
        byte[] another = initiator().initiation(null); // same sender index, another mac1
        assertThrows(NoiseException.class, () -> Cookies.open(reply, reply.length, another, server.publicKey()));
        assertThrows(NoiseException.class, () -> Cookies.open(reply, reply.length, mine, client.publicKey()));
        byte[] tampered = reply.clone();
        tampered[40] ^= 1;
        assertThrows(NoiseException.class, () -> Cookies.open(tampered, tampered.length, mine, server.publicKey()));
        assertThrows(NoiseException.class, () -> Cookies.open(reply, reply.length - 1, mine, server.publicKey()));
        assertThrows(IllegalArgumentException.class, () -> new Cookies(new byte[16]));
    }

    @Test
    void cookiesDependOnTheEpoch() {
        Cookies cookies = new Cookies(secret);
        assertArrayEquals(cookies.cookie(addr, 1, 240), cookies.cookie(addr, 1, 359));
        assertFalse(java.util.Arrays.equals(cookies.cookie(addr, 1, 359), cookies.cookie(addr, 1, 360)));
    }
}
