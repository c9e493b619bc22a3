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
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionRegistry;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.ctl.CtlException;
import org.janytun.ctl.CtlRequest;
import org.janytun.ctl.CtlResponse;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncRecord;
import org.janytun.wire.DeviceType;
import org.junit.jupiter.api.Test;

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
    });

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
}
