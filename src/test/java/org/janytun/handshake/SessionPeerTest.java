package org.janytun.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.janytun.config.Secret;
import org.janytun.config.SessionSettings;
import org.janytun.connection.Connection;
import org.janytun.connection.Path;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.datapath.ControlSink;
import org.janytun.noise.X25519;
import org.janytun.session.DropReason;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.transport.DatagramBatch;
import org.janytun.transport.DatagramSender;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Two handshake threads wired back to back in memory (what one sends is offered to the other's queue, as the
 * receive stage does): the first data packet asks for keys, the handshake installs a pair on both sides, the
 * responder's pair is promoted by the initiator's keepalive, and data flows both ways under it.
 */
class SessionPeerTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("127.0.0.1", 1001);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("127.0.0.2", 1002);

    private final X25519.KeyPair keyA = X25519.generate(RANDOM);
    private final X25519.KeyPair keyB = X25519.generate(RANDOM);
    private End a;
    private End b;

    /** One side: its connection, its handshake thread, and a sender that hands datagrams to the other side. */
    static final class End implements DatagramSender {
        final Connection connection;
        final SessionPeer peer;
        final InetSocketAddress self;
        volatile ControlSink other;
        volatile Connection otherConnection;
        volatile byte[] lastControl;

        End(SessionSettings s, InetSocketAddress self, InetSocketAddress remote) {
            this.self = self;
            connection = Connection.of(SessionPeer.placeholder(s.suite(), 0, 0, DeviceType.TUN), new Path(0, remote));
            connection.holdSealing();
            peer = new SessionPeer(s, connection, 0, DeviceType.TUN, 0, this, LoggerFactory.getLogger("test"));
        }

        @Override
        public synchronized int send(DatagramBatch batch) {
            for (int i = 0; i < batch.count(); i++) {
                byte[] d = Arrays.copyOf(batch.buf(i), batch.length(i));
                if (SatpLayout.mux(d) == 0xFFFF) {
                    lastControl = d;
                    other.offer(d, d.length, self, 0);
                } else {
                    PacketResult r = new PacketResult();
                    otherConnection.open(d, d.length, r); // the keepalive
                }
            }
            return 0;
        }
    }

    private SessionSettings settings(X25519.KeyPair me, X25519.KeyPair peer, boolean pq) {
        return new SessionSettings(Secret.of(me.privateKey()), peer.publicKey(), Optional.empty(),
                AeadAlgorithm.AES_256_GCM, pq, 5);
    }

    private void wire(boolean pq, boolean bKnowsA) {
        a = new End(settings(keyA, keyB, pq), ADDR_A, ADDR_B);
        b = new End(settings(keyB, keyA, pq), ADDR_B, bKnowsA ? ADDR_A : null);
        a.other = b.peer.queue();
        a.otherConnection = b.connection;
        b.other = a.peer.queue();
        b.otherConnection = a.connection;
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.peer.close();
            b.peer.close();
        }
    }

    private String describe() {
        StringBuilder sb = new StringBuilder();
        for (End e : new End[] {a, b}) {
            sb.append(e.self).append(':');
            for (HandshakeStats.Event ev : HandshakeStats.Event.values()) {
                sb.append(' ').append(ev).append('=').append(e.peer.stats().events(ev));
            }
            for (HandshakeStats.Failure f : HandshakeStats.Failure.values()) {
                sb.append(' ').append(f).append('=').append(e.peer.stats().failures(f));
            }
            sb.append("; ");
        }
        return sb.toString();
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what + "; " + describe());
            }
            Thread.sleep(5);
        }
    }

    /** Seals an IPv4-looking packet on {@code from} and opens it on {@code to}. */
    private static boolean carries(Connection from, Connection to) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        PacketResult r = new PacketResult();
        if (!from.canSeal() || !from.session().seal(buf, 40, r)) {
            return false;
        }
        PacketResult o = new PacketResult();
        return to.open(buf, r.datagramLength(), o) && o.innerLength() == 40;
    }

    @Test
    void aHandshakeOnDemandGivesBothSidesAPair() throws Exception {
        wire(true, false);
        b.peer.start();
        a.peer.start(); // A knows B: it starts at once
        await(() -> a.connection.canSeal(), "A has a pair");
        SatpSession first = a.connection.session();
        await(() -> b.connection.canSeal(), "B's pair promoted by A's keepalive");
        assertTrue(carries(a.connection, b.connection));
        assertTrue(carries(b.connection, a.connection));
        assertEquals(1, a.peer.stats().events(HandshakeStats.Event.COMPLETED_AS_INITIATOR));
        assertEquals(1, b.peer.stats().events(HandshakeStats.Event.COMPLETED_AS_RESPONDER));
        assertEquals(ADDR_A, b.connection.remote(), "B learned A from the handshake");
        await(() -> a.connection.previous() == null && b.connection.previous() == null,
                "the placeholders are dropped");
        assertNotSame(first, null);
    }

    @Test
    void withoutPqToo() throws Exception {
        wire(false, true);
        a.peer.start();
        b.peer.start();
        await(() -> a.connection.canSeal() && b.connection.canSeal(), "both have a pair");
        assertTrue(carries(a.connection, b.connection));
        assertTrue(carries(b.connection, a.connection));
    }

    @Test
    void aWrongPeerKeyNeverGetsAPair() throws Exception {
        X25519.KeyPair stranger = X25519.generate(RANDOM);
        a = new End(settings(stranger, keyB, true), ADDR_A, ADDR_B);
        b = new End(settings(keyB, keyA, true), ADDR_B, null);
        a.other = b.peer.queue();
        a.otherConnection = b.connection;
        b.other = a.peer.queue();
        b.otherConnection = a.connection;
        b.peer.start();
        a.peer.start();
        await(() -> b.peer.stats().failures(HandshakeStats.Failure.UNKNOWN_PEER) > 0, "B refuses the stranger");
        assertFalse(a.connection.canSeal());
        assertFalse(b.connection.canSeal());
        PacketResult r = new PacketResult();
        assertFalse(carries(b.connection, a.connection));
        assertEquals(null, r.drop());
        assertTrue(DropReason.NO_KEY.description().contains("handshake"));
    }

    @Test
    void aReplayedInitiationIsRefusedByItsTimestamp() throws Exception {
        wire(true, false);
        b.peer.start();
        a.peer.start();
        await(() -> a.connection.canSeal() && b.connection.canSeal(), "both have a pair");
        byte[] initiation = a.lastControl;
        SatpSession before = b.connection.session();
        b.peer.queue().offer(initiation, initiation.length, ADDR_A, 0);
        await(() -> b.peer.stats().failures(HandshakeStats.Failure.OLD_TIMESTAMP) == 1, "the replay is refused");
        assertEquals(1, b.peer.stats().events(HandshakeStats.Event.RESPONSE_SENT));
        assertEquals(before, b.connection.session());
    }

    @Test
    void bothStartingAtOnceEndWithOnePairThatCarries() throws Exception {
        wire(true, true);
        a.peer.start();
        b.peer.start();
        await(() -> a.connection.canSeal() && b.connection.canSeal(), "both have a pair");
        Thread.sleep(200);
        assertTrue(carries(a.connection, b.connection));
        assertTrue(carries(b.connection, a.connection));
        long made = a.peer.stats().events(HandshakeStats.Event.COMPLETED_AS_INITIATOR)
                + b.peer.stats().events(HandshakeStats.Event.COMPLETED_AS_INITIATOR);
        assertTrue(made >= 1 && made <= 2, describe());
    }
}
