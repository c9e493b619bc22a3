package org.janytun.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.janytun.config.Secret;
import org.janytun.config.SessionPeerSettings;
import org.janytun.config.SessionSettings;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionRegistry;
import org.janytun.connection.ConnectionRegistryScaleTest;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.handshake.SessionEndpoint;
import org.janytun.noise.X25519;
import org.janytun.route.IpPrefix;
import org.janytun.wire.DeviceType;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A server of 20,000 SATP-session peers (a peers file's worth, one /32 each) in a real registry: what each peer
 * holds before its first handshake, that the table is built once for the whole file, and that a reload changing
 * one peer's routes keeps every session. A benchmark-style measurement with a generous bound, not a timing.
 */
class SessionServerScaleTest {
    private static final int N = 20_000;
    /** Per peer, before its first handshake: connection, placeholder session, key ring, statistics, route. */
    private static final long BOUND = 4096;

    @Test
    void twentyThousandPeersLoadOnceAndAReloadKeepsTheirSessions() {
        SecureRandom random = new SecureRandom();
        List<SessionPeerSettings> peers = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            peers.add(new SessionPeerSettings(key, i, List.of(IpPrefix.parse("10." + (i >> 8 & 0xFF) + "."
                    + (i & 0xFF) + ".1/32")), Optional.empty()));
        }
        int[] published = {0};
        long before = ConnectionRegistryScaleTest.retainedHeap();
        ConnectionRegistry registry = new ConnectionRegistry(CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10, 0,
                DeviceType.TUN, null, 0, List.of(), true);
        registry.publishTo(t -> published[0]++);
        X25519.KeyPair server = X25519.generate(random);
        SessionEndpoint endpoint = new SessionEndpoint(new SessionSettings(Secret.of(server.privateKey()), peers,
                Optional.of("peers"), AeadAlgorithm.AES_256_GCM, true, 120), 0, DeviceType.TUN, 0, batch -> 0,
                new RegistryPeerTable(registry), LoggerFactory.getLogger("test"));
        try {
            long t0 = System.nanoTime();
            endpoint.addAll(peers);
            long loadMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(N, registry.table().connections().size());
            assertEquals(1, published[0], "one table for the whole file");
            long perPeer = (ConnectionRegistryScaleTest.retainedHeap() - before) / N;
            Connection kept = registry.table().forMux(7);
            List<SessionPeerSettings> next = new ArrayList<>(peers);
            SessionPeerSettings old = next.get(N / 2);
            next.set(N / 2, new SessionPeerSettings(old.publicKey(), old.mux(), List.of(IpPrefix.parse(
                    "192.168.0.0/16")), Optional.empty()));
            t0 = System.nanoTime();
            String summary = endpoint.applyPeers(next);
            long reloadMillis = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("session server: %d peers, %d bytes retained each before any handshake (added in %d"
                    + " ms); a reload re-routing one applied in %d ms%n", N, perPeer, loadMillis, reloadMillis);
            assertTrue(perPeer <= BOUND, perPeer + " bytes a peer");
            assertEquals("peers: 0 added, 0 removed, 0 restarted, 1 rerouted", summary);
            assertSame(kept, registry.table().forMux(7), "every other peer keeps its connection");
            assertEquals(2, published[0], "one more table for the reload");
            assertTrue(registry.routeSummary().contains("192.168.0.0/16>" + old.mux()));
        } finally {
            endpoint.close();
        }
    }
}
