package org.janytun.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.security.SecureRandom;
import java.util.Optional;
import org.janytun.config.KeyText;
import org.janytun.config.Secret;
import org.janytun.config.SessionSettings;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionRegistry;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.ctl.CtlException;
import org.janytun.ctl.CtlRequest;
import org.janytun.ctl.CtlResponse;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncRecord;
import org.janytun.handshake.SessionEndpoint;
import org.janytun.noise.X25519;
import org.janytun.wire.DeviceType;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** janytun-ctl add and remove against a real registry: what they accept, refuse, and tell the cluster. */
class TableEditsTest {
    private static final String KEY = "00112233445566778899aabbccddeeff";
    private static final String SALT = "0102030405060708090a0b0c0d0e";

    private final ConnectionRegistry registry = new ConnectionRegistry(CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1,
            10, 0, DeviceType.TUN, null, 0, List.of(), true);
    private final List<SyncRecord> told = new ArrayList<>();
    private ConnectionRegistry target = registry;
    private final TableEdits edits = new TableEdits(new TableEdits.Target() {
        @Override
        public ConnectionRegistry registry() {
            return target;
        }

        @Override
        public void announce(List<SyncRecord> records) {
            told.addAll(records);
        }

        @Override
        public SessionEndpoint sessions() {
            return sessions;
        }
    });
    private SessionEndpoint sessions;

    private CtlResponse add(Map<String, String> params) throws CtlException {
        CtlResponse out = new CtlResponse();
        edits.add(new CtlRequest("add", params), out);
        return out;
    }

    private CtlException addFails(Map<String, String> params) {
        return assertThrows(CtlException.class, () -> add(params));
    }

    @Test
    void aConnectionWithRoutesIsAddedAndToldToTheCluster() throws Exception {
        CtlResponse out = add(Map.of("mux", "7", "key", KEY, "salt", SALT, "role", "right", "window", "64",
                "remote", "192.0.2.7:4444", "routes", "10.7.0.0/16,10.8.0.0/16"));
        assertEquals(List.of("mux=7", "routes=2"), out.lines());
        Connection c = registry.table().forMux(7);
        assertEquals(new InetSocketAddress("192.0.2.7", 4444), c.remote());
        assertEquals("right", c.session().localRole().name().toLowerCase());
        assertEquals(64, c.session().windowSize());
        assertEquals(List.of("10.7.0.0/16>7", "10.8.0.0/16>7"), registry.routeSummary());
        assertEquals(3, told.size(), "the connection and its two routes");
        ConnectionRecord r = (ConnectionRecord) told.getFirst();
        assertEquals(HexFormat.of().parseHex(KEY).length * 8, r.keyLength());
        assertTrue(told.get(1) instanceof RouteRecord);
    }

    @Test
    void aPassphraseGivesTheSameKeysAsTheCommandLine() throws Exception {
        String hex = HexFormat.of().formatHex("a passphrase".getBytes(StandardCharsets.UTF_8));
        add(Map.of("mux", "3", "passphrase", hex));
        ConnectionRecord r = (ConnectionRecord) told.getFirst();
        assertEquals(128, r.keyLength());
        assertEquals(14, r.masterSalt().length);
    }

    @Test
    void aRouteNeedsItsConnectionAndRemoveTakesEither() throws Exception {
        assertEquals(CtlException.ENOENT, addFails(Map.of("route", "10.9.0.0/16", "mux", "9")).errno());
        add(Map.of("mux", "9", "key", KEY, "salt", SALT));
        add(Map.of("route", "10.9.0.0/16", "mux", "9"));
        assertEquals(List.of("10.9.0.0/16>9"), registry.routeSummary());
        assertTrue(addFails(Map.of("route", "10.9.1.0/24", "mux", "9", "key", KEY)).getMessage()
                .contains("takes only mux="));
        CtlResponse out = new CtlResponse();
        edits.remove(new CtlRequest("remove", Map.of("route", "10.9.0.0/16")), out);
        assertEquals(List.of(), registry.routeSummary());
        edits.remove(new CtlRequest("remove", Map.of("mux", "9")), out);
        assertNull(registry.table().forMux(9));
        assertThrows(CtlException.class, () -> edits.remove(new CtlRequest("remove", Map.of("mux", "9", "route",
                "10.0.0.0/8")), new CtlResponse()));
    }

    @Test
    void badInputIsRefusedWithItsReasonAndNeverEchoesAKey() {
        assertTrue(addFails(Map.of("mux", "1")).getMessage().contains("passphrase="));
        assertTrue(addFails(Map.of("mux", "1", "key", KEY)).getMessage().contains("salt="));
        assertTrue(addFails(Map.of("mux", "1", "key", "0011", "salt", SALT)).getMessage().contains("128 bits"));
        assertTrue(addFails(Map.of("mux", "1", "key", KEY, "salt", SALT, "remote", "host.example:4444"))
                .getMessage().startsWith("remote:"));
        assertTrue(addFails(Map.of("mux", "1", "key", KEY, "salt", SALT, "routes", "10.0.0.0/33"))
                .getMessage().startsWith("route:"));
        assertTrue(addFails(Map.of("mux", "1", "key", KEY, "salt", SALT, "role", "middle")).getMessage()
                .startsWith("role:"));
        assertTrue(addFails(Map.of("mux", "70000", "key", KEY, "salt", SALT)).getMessage().contains("mux"));
        for (CtlException e : List.of(addFails(Map.of("mux", "1", "key", KEY)),
                addFails(Map.of("mux", "1", "key", KEY, "salt", "00")))) {
            assertTrue(!e.getMessage().contains(KEY), e.getMessage());
        }
        assertTrue(told.isEmpty());
        assertNull(registry.table().forMux(1), "nothing half-added");
    }

    @Test
    void aPointToPointTunnelRefusesBoth() {
        target = null;
        assertTrue(addFails(Map.of("mux", "1", "key", KEY, "salt", SALT)).getMessage()
                .contains("point-to-point"));
    }

    /** A server of SATP sessions: add public-key= puts a peer into the registry; static records stay off its mux. */
    @Test
    void anSatpSessionPeerIsAddedBesideStaticOnesAndRemoved() throws Exception {
        SecureRandom random = new SecureRandom();
        X25519.KeyPair server = X25519.generate(random);
        String peer = KeyText.encode(X25519.generate(random).publicKey());
        sessions = new SessionEndpoint(new SessionSettings(Secret.of(server.privateKey()), List.of(),
                Optional.of("peers"), AeadAlgorithm.AES_256_GCM, true, 120), 0, DeviceType.TUN, 0, batch -> 0,
                new RegistryPeerTable(registry), LoggerFactory.getLogger("test"));
        try {
            add(Map.of("mux", "1", "key", KEY, "salt", SALT));
            CtlResponse out = add(Map.of("mux", "2", "public-key", peer, "routes", "10.2.0.0/24",
                    "psk", "00".repeat(32)));
            assertTrue(out.lines().toString().contains(peer), out.lines().toString());
            assertTrue(registry.table().forMux(2) != null);
            assertEquals(List.of("10.2.0.0/24>2"), registry.routeSummary());
            assertTrue(addFails(Map.of("mux", "3", "public-key", peer)).getMessage().contains("mux 2"));
            assertTrue(addFails(Map.of("mux", "1", "public-key", KeyText.encode(server.publicKey()))).getMessage()
                    .contains("mux 1 is taken"));
            assertTrue(addFails(Map.of("mux", "2", "key", KEY, "salt", SALT)).getMessage()
                    .contains("SATP-session peer"));
            assertTrue(addFails(Map.of("mux", "4", "public-key", peer, "psk", "0011")).getMessage()
                    .startsWith("psk:"));
            assertTrue(addFails(Map.of("mux", "4", "public-key", peer, "key", KEY)).getMessage().contains("key"));
            assertTrue(registry.dump().stream().noneMatch(r -> r instanceof ConnectionRecord c && c.mux() == 2),
                    "a session peer is never told to cluster peers");
            edits.remove(new CtlRequest("remove", Map.of("mux", "2")), new CtlResponse());
            assertNull(registry.table().forMux(2));
            assertEquals(List.of(), registry.routeSummary());
            assertEquals(null, sessions.peerKey(2));
        } finally {
            sessions.close();
        }
        sessions = null;
        assertTrue(addFails(Map.of("mux", "5", "public-key", peer)).getMessage().contains("--peers"));
    }
}
