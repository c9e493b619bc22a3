package org.janytun.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.janytun.config.Secret;
import org.janytun.config.SessionPeerSettings;
import org.janytun.config.SessionSettings;
import org.janytun.connection.Connection;
import org.janytun.connection.Path;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.datapath.ControlSink;
import org.janytun.noise.X25519;
import org.janytun.route.IpPrefix;
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
class SessionEndpointTest {
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
        final SessionEndpoint peer;
        final InetSocketAddress self;
        volatile ControlSink other;
        volatile Connection otherConnection;
        volatile byte[] lastControl;

        End(SessionSettings s, InetSocketAddress self, InetSocketAddress remote) {
            this.self = self;
            peer = new SessionEndpoint(s, 0, DeviceType.TUN, 0, this, PeerTable.SINGLE, LoggerFactory.getLogger("test"));
            connection = peer.add(s.peers().getFirst(), remote, false);
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
        return new SessionSettings(Secret.of(me.privateKey()), List.of(peerOf(peer, 0)), Optional.empty(),
                AeadAlgorithm.AES_256_GCM, pq, 5);
    }

    private static SessionPeerSettings peerOf(X25519.KeyPair peer, int mux) {
        return new SessionPeerSettings(peer.publicKey(), mux, List.of(), Optional.empty());
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

    /** A network in memory: each endpoint at its address, each datagram handed to the endpoint it is sent to. */
    static final class Net {
        final Map<InetSocketAddress, SessionEndpoint> endpoints = new ConcurrentHashMap<>();
        final Map<InetSocketAddress, Map<Integer, Connection>> connections = new ConcurrentHashMap<>();

        /** The sender of the endpoint at {@code self}. */
        DatagramSender from(InetSocketAddress self) {
            return batch -> {
                synchronized (this) {
                    for (int i = 0; i < batch.count(); i++) {
                        byte[] d = Arrays.copyOf(batch.buf(i), batch.length(i));
                        InetSocketAddress to = batch.address(i);
                        if (SatpLayout.mux(d) == 0xFFFF) {
                            endpoints.get(to).queue().offer(d, d.length, self, 0);
                        } else {
                            Connection c = connections.get(to).get(SatpLayout.mux(d));
                            if (c != null) {
                                c.open(d, d.length, new PacketResult()); // the keepalive
                            }
                        }
                    }
                }
                return 0;
            };
        }

        /** The table of the endpoint at {@code self}: mux to connection; routes are counted, not used. */
        PeerTable table(InetSocketAddress self, Map<Integer, List<IpPrefix>> routes) {
            Map<Integer, Connection> conns = connections.computeIfAbsent(self, k -> new ConcurrentHashMap<>());
            return new PeerTable() {
                @Override
                public String install(Connection c, List<IpPrefix> r) {
                    if (conns.putIfAbsent(c.mux(), c) != null) {
                        return "mux " + c.mux() + " taken";
                    }
                    routes.put(c.mux(), r);
                    return null;
                }

                @Override
                public void uninstall(Connection c) {
                    conns.remove(c.mux(), c);
                    routes.remove(c.mux());
                }

                @Override
                public void reroute(Connection c, List<IpPrefix> r) {
                    routes.put(c.mux(), r);
                }
            };
        }

        SessionEndpoint endpoint(InetSocketAddress self, SessionSettings s, Map<Integer, List<IpPrefix>> routes) {
            SessionEndpoint e = new SessionEndpoint(s, 0, DeviceType.TUN, 0, from(self), table(self, routes),
                    LoggerFactory.getLogger("test"));
            endpoints.put(self, e);
            return e;
        }
    }

    /**
     * One server, two clients on muxes 1 and 2, a stranger, and a client that believes in another mux: each
     * known client gets a pair on its own mux, the others none; a removed peer is refused, a reload adds it back
     * and changes routes without a new handshake.
     */
    @Test
    void aServerAnswersEachPeerOnItsOwnMuxAndNoOneElse() throws Exception {
        X25519.KeyPair server = X25519.generate(RANDOM);
        X25519.KeyPair stranger = X25519.generate(RANDOM);
        X25519.KeyPair lost = X25519.generate(RANDOM);
        InetSocketAddress addrS = new InetSocketAddress("127.0.0.9", 2000);
        InetSocketAddress addrX = new InetSocketAddress("127.0.0.3", 1003);
        InetSocketAddress addrL = new InetSocketAddress("127.0.0.4", 1004);
        Net net = new Net();
        Map<Integer, List<IpPrefix>> routes = new ConcurrentHashMap<>();
        List<IpPrefix> routeA = List.of(IpPrefix.parse("10.1.0.0/24"));
        SessionPeerSettings peerA = new SessionPeerSettings(keyA.publicKey(), 1, routeA, Optional.empty());
        SessionPeerSettings peerB = peerOf(keyB, 2);
        SessionPeerSettings peerL = peerOf(lost, 3);
        SessionEndpoint s = net.endpoint(addrS, new SessionSettings(Secret.of(server.privateKey()),
                List.of(peerA, peerB, peerL), Optional.of("peers"), AeadAlgorithm.AES_256_GCM, true, 120), routes);
        List.of(peerA, peerB, peerL).forEach(p -> s.add(p, null, false));
        SessionEndpoint ca = net.endpoint(ADDR_A, settings(keyA, server, true), new ConcurrentHashMap<>());
        SessionEndpoint cb = net.endpoint(ADDR_B, settings(keyB, server, true), new ConcurrentHashMap<>());
        SessionEndpoint cx = net.endpoint(addrX, settings(stranger, server, true), new ConcurrentHashMap<>());
        SessionEndpoint cl = net.endpoint(addrL, settings(lost, server, true), new ConcurrentHashMap<>());
        List<SessionEndpoint> clients = List.of(ca, cb, cx, cl);
        try {
            Connection a = ca.add(peerOf(server, 1), addrS, false);
            Connection b = cb.add(peerOf(server, 2), addrS, false);
            Connection x = cx.add(peerOf(server, 7), addrS, false);
            Connection l = cl.add(peerOf(server, 5), addrS, false); // the server has it on mux 3
            s.start();
            clients.forEach(SessionEndpoint::start);
            Map<Integer, Connection> atServer = net.connections.get(addrS);
            BooleanSupplier bothUp = () -> a.canSeal() && b.canSeal() && atServer.get(1).canSeal()
                    && atServer.get(2).canSeal();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!bothUp.getAsBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(bothUp.getAsBoolean(), "A and B have pairs with the server");
            assertTrue(carries(a, atServer.get(1)) && carries(atServer.get(1), a));
            assertTrue(carries(b, atServer.get(2)) && carries(atServer.get(2), b));
            assertFalse(carries(a, atServer.get(2)), "A's pair is not B's");
            assertEquals(1, s.stats(1).events(HandshakeStats.Event.COMPLETED_AS_RESPONDER));
            assertEquals(1, s.stats(2).events(HandshakeStats.Event.COMPLETED_AS_RESPONDER));
            assertEquals(keyA.publicKey().length, java.util.Base64.getDecoder().decode(s.peerKey(1)).length);
            while (s.stats().failures(HandshakeStats.Failure.UNKNOWN_PEER) == 0
                    || cl.stats().failures(HandshakeStats.Failure.WRONG_MUX) == 0) {
                assertTrue(System.nanoTime() < deadline + 5_000_000_000L, "the stranger and the lost mux refused");
                Thread.sleep(5);
            }
            assertFalse(x.canSeal(), "a stranger gets nothing");
            assertFalse(l.canSeal(), "a client on another mux than the server's gets nothing");
            assertEquals(0, s.stats(2).failures(HandshakeStats.Failure.UNKNOWN_PEER));

            assertTrue(s.remove(2));
            assertEquals(null, atServer.get(2));
            assertFalse(s.remove(2));
            assertEquals("peers: 1 added, 1 removed, 0 restarted, 1 rerouted", s.applyPeers(List.of(
                    new SessionPeerSettings(keyA.publicKey(), 1, List.of(), Optional.empty()), peerB)));
            assertEquals(List.of(), routes.get(1));
            assertEquals(1, s.stats(1).events(HandshakeStats.Event.COMPLETED_AS_RESPONDER), "A kept its session");
            assertTrue(carries(a, atServer.get(1)));
            assertEquals(null, s.peerKey(3), "the peer no longer in the file is gone");
            assertTrue(atServer.get(2) != null && !atServer.get(2).canSeal(), "B is back, without keys yet");
        } finally {
            s.close();
            clients.forEach(SessionEndpoint::close);
        }
    }

    /** A server of more peers than are swept every tick: a packet with no key still starts the handshake. */
    @Test
    void aServerOfManyPeersStartsAHandshakeWhenItsDataPathAsks() throws Exception {
        X25519.KeyPair server = X25519.generate(RANDOM);
        InetSocketAddress addrS = new InetSocketAddress("127.0.0.9", 2000);
        Net net = new Net();
        SessionEndpoint s = net.endpoint(addrS, new SessionSettings(Secret.of(server.privateKey()), List.of(),
                Optional.of("peers"), AeadAlgorithm.AES_256_GCM, false, 120), new ConcurrentHashMap<>());
        SessionEndpoint ca = net.endpoint(ADDR_A, settings(keyA, server, false), new ConcurrentHashMap<>());
        try {
            for (int m = 2; m < 200; m++) {
                s.add(peerOf(X25519.generate(RANDOM), m), null, false);
            }
            Connection atServer = s.add(peerOf(keyA, 1), ADDR_A, false);
            Connection a = ca.add(peerOf(server, 1), null, false); // A waits: the server starts
            ca.start();
            s.start();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!(atServer.canSeal() && a.canSeal()) && System.nanoTime() < deadline) {
                atServer.requestKeys(); // as the send stage does for each packet it cannot seal
                Thread.sleep(5);
            }
            assertTrue(atServer.canSeal() && a.canSeal(), "the server's handshake gave both a pair");
            assertEquals(1, s.stats(1).events(HandshakeStats.Event.COMPLETED_AS_INITIATOR));
            assertTrue(carries(atServer, a) && carries(a, atServer));
        } finally {
            s.close();
            ca.close();
        }
    }
}
