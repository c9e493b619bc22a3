package org.janytun.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Hex;
import org.janytun.crypto.Role;
import org.janytun.route.IpPrefix;
import org.janytun.session.PacketResult;
import org.janytun.wire.DeviceType;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.TableDrop;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.Test;

/** A served table is the whole truth, and unchanged connections keep their state across reloads. */
class ConnectionRegistryTest {
    private static final byte[] SALT = Hex.parse("0102030405060708090a0b0c0d0e");

    private static ConnectionRecord peer(int mux, String keyHex, InetSocketAddress endpoint) {
        byte[] key = Hex.parse(keyHex);
        return endpoint == null
                ? new ConnectionRecord(mux, Role.LEFT, key.length * 8, SALT, key, 0, 0, "0.0.0.0", 4444)
                : new ConnectionRecord(mux, Role.LEFT, key.length * 8, SALT, key, 0, 0,
                        endpoint.getAddress().getHostAddress(), endpoint.getPort());
    }

    private static RouteRecord route(String prefix, int mux) {
        return RouteRecord.parse(prefix, mux);
    }

    private static ConnectionRegistry server() {
        return new ConnectionRegistry(CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10, 0, DeviceType.TUN, null,
                0, List.of(), true);
    }

    private static final String K1 = "00112233445566778899aabbccddeeff";
    private static final String K2 = "ffeeddccbbaa99887766554433221100";

    /** Mux 1 (key K1) with 10.1/16 and mux 2 (key K2) with 10.2/16, from a control host. */
    private static ConnectionTable twoClients(ConnectionRegistry s, List<String> problems) {
        return s.apply(List.of(peer(1, K1, null), peer(2, K2, null)),
                List.of(route("10.1.0.0/16", 1), route("10.2.0.0/16", 2)), problems::add);
    }

    @Test
    void reloadKeepsUnchangedConnectionsAndDropsRemovedOnes() {
        ConnectionRegistry s = server();
        List<String> problems = new ArrayList<>();
        String k1 = K1;
        ConnectionTable t1 = twoClients(s, problems);
        Connection c1 = t1.forMux(1);
        org.janytun.session.SatpSession mux2Before = t1.forMux(2).session();
        InetSocketAddress learned = new InetSocketAddress("127.0.0.1", 5000);
        c1.learn(0, learned);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        for (int i = 0; i < 2; i++) {
            buf[SatpLayout.INNER_OFFSET] = 0x45; // sealing encrypts in place
            c1.session().seal(buf, 20, new PacketResult());
        }

        // reload: mux 1 unchanged, mux 2 rekeyed, mux 3 new, the 10.2/16 route gone
        ConnectionTable t2 = s.apply(List.of(peer(1, k1, null), peer(2, k1, null), peer(3, K2, null)),
                List.of(route("10.1.0.0/16", 1)), problems::add);
        assertSame(c1, t2.forMux(1), "unchanged keys: same connection, same counter and endpoint");
        assertEquals(learned, t2.forMux(1).remote());
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        c1.session().seal(buf, 20, new PacketResult());
        assertEquals(2, SatpLayout.seq(buf), "the counter went on, it was not reset");
        java.util.Arrays.fill(buf, (byte) 0);
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        assertNotSame(mux2Before, t2.forMux(2).session(), "new keys: new session");
        assertTrue(t2.routing());
        buf[SatpLayout.INNER_OFFSET + 16] = 10;
        buf[SatpLayout.INNER_OFFSET + 17] = 2;
        assertNull(t2.forOutgoing(buf, 20), "removed route is gone");
        buf[SatpLayout.INNER_OFFSET + 17] = 1;
        assertSame(c1, t2.forOutgoing(buf, 20));

        ConnectionTable t3 = s.apply(List.of(peer(3, K2, null)), List.of(), problems::add);
        assertNull(t3.forMux(1), "removed connection is gone");
        assertTrue(problems.isEmpty(), problems.toString());
    }

    /** A control host's change (a reload of janytun-controld) touches what it names, and nothing else. */
    @Test
    void aChangeAppliesWhatChangedAndDropsWhatIsGone() {
        ConnectionRegistry s = server();
        s.setCapacity(3);
        List<String> problems = new ArrayList<>();
        String k1 = K1;
        ConnectionTable t1 = twoClients(s, problems);
        Connection c1 = t1.forMux(1);
        org.janytun.session.SatpSession mux2Before = t1.forMux(2).session();
        assertTrue(s.addByOperator(peer(9, k1, null), problems::add));

        // mux 2 rekeyed, mux 3 new with a route, the route to 10.2/16 and mux 9 (the operator's) named as gone
        ConnectionTable t2 = s.applyChange(List.of(peer(2, k1, null)), List.of(route("10.3.0.0/16", 2)),
                List.of(TableDrop.route(IpPrefix.parse("10.2.0.0/16")), TableDrop.connection(9)), problems::add);
        assertSame(c1, t2.forMux(1), "not named: the same connection");
        assertNotSame(mux2Before, t2.forMux(2).session(), "new keys");
        assertNotNull(t2.forMux(9), "a control host's change does not remove the operator's connection");
        assertEquals(List.of("10.1.0.0/16>1", "10.3.0.0/16>2"), s.routeSummary());

        // beyond --capacity: refused, the table stays, and the next change asks for the whole table
        ConnectionTable t3 = s.applyChange(List.of(peer(3, k1, null), peer(4, k1, null)), List.of(), List.of(),
                problems::add);
        assertSame(t2, t3);
        assertEquals(List.of("the changed table of 5 connections is beyond --capacity 3: refused, the current table"
                + " of 3 stays"), problems);
        assertNull(s.applyChange(List.of(), List.of(), List.of(TableDrop.connection(1)), problems::add));
        assertSame(c1, s.table().forMux(1));
        // the whole table again: changes apply again
        s.apply(List.of(peer(1, k1, null)), List.of(), problems::add);
        assertNotNull(s.applyChange(List.of(), List.of(), List.of(TableDrop.connection(1)), problems::add));
        assertNull(s.table().forMux(1));
    }

    @Test
    void newKeysForAConnectionRotateItAndThePreviousKeyStillOpensForAWhile() {
        ConnectionRegistry s = server();
        List<String> problems = new ArrayList<>();
        String k1 = "00112233445566778899aabbccddeeff";
        String k2 = "ffeeddccbbaa99887766554433221100";
        Connection c = s.apply(List.of(peer(1, k1, null)), List.of(), problems::add).forMux(1);
        org.janytun.session.SatpSession before = c.session();
        // the client, still under the old key
        org.janytun.session.SatpSession client = new org.janytun.session.SatpSession(before.suite(), Role.RIGHT, 5, 1,
                DeviceType.TUN, 0);
        assertSame(c, s.apply(List.of(peer(1, k2, null)), List.of(), problems::add).forMux(1),
                "the same connection: counters, paths and endpoint stay");
        assertNotSame(before, c.session());
        assertEquals("control host", c.keySource());
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        PacketResult r = new PacketResult();
        assertTrue(client.seal(buf, 20, r));
        assertTrue(c.open(buf, r.datagramLength(), new PacketResult()), "a packet under the previous key");
        assertEquals(1, c.previousKeyPackets());
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void theOperatorAddsAndRemovesConnectionsAndRoutesThatAServedTableKeeps() {
        ConnectionRegistry s = new ConnectionRegistry(CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10, 0,
                DeviceType.TUN, null, 0, List.of(IpPrefix.parse("10.9.0.0/16")), true);
        List<String> problems = new ArrayList<>();
        String k1 = "00112233445566778899aabbccddeeff";
        assertTrue(s.addByOperator(peer(7, k1, new InetSocketAddress("127.0.0.1", 4000)), problems::add));
        s.addRouteByOperator(route("10.7.0.0/16", 7));
        s.apply(List.of(peer(1, k1, null)), List.of(route("10.1.0.0/16", 1)), problems::add);
        ConnectionTable t = s.table();
        assertEquals("janytun-ctl", t.forMux(7).keySource());
        assertEquals(new InetSocketAddress("127.0.0.1", 4000), t.forMux(7).remote());
        assertTrue(s.routeSummary().contains("10.7.0.0/16>7"), "a served table keeps the operator's route");
        assertTrue(s.routeSummary().contains("10.9.0.0/16>0"));
        assertEquals("no connection with mux 8", s.remove(8));
        assertNull(s.remove(7));
        assertNull(s.table().forMux(7));
        assertTrue(!s.routeSummary().contains("10.7.0.0/16>7"), "its routes went with it");
        assertTrue(s.removeRoute(IpPrefix.parse("10.1.0.0/16")));
        s.setLocalRoutes(List.of(IpPrefix.parse("10.8.0.0/16")), 0);
        assertEquals(List.of("10.8.0.0/16>0"), s.routeSummary(), "reload replaced -R");
        assertTrue(problems.isEmpty(), problems.toString());
    }

    /** RAIL in a server: every served connection gets a path per link, each learning on its own, kept on rekey. */
    @Test
    void railServerConnectionsHaveAPathPerLink() {
        ConnectionRegistry s = server();
        s.setLinks(3, false);
        List<String> problems = new ArrayList<>();
        String k1 = "00112233445566778899aabbccddeeff";
        Connection c = s.apply(List.of(peer(1, k1, null)), List.of(), problems::add).forMux(1);
        assertEquals(3, c.paths().length);
        assertTrue(!c.spreads());
        InetSocketAddress viaLink2 = new InetSocketAddress("127.0.0.1", 5002);
        assertSame(c.pathOn(2), c.learn(2, viaLink2));
        assertNull(c.pathOn(0).remote(), "the other links still learn on their own");
        var keyBefore = c.session();
        Connection rekeyed = s.apply(List.of(peer(1, "ffeeddccbbaa99887766554433221100", null)), List.of(),
                problems::add).forMux(1);
        assertNotSame(keyBefore, rekeyed.session());
        assertEquals(viaLink2, rekeyed.pathOn(2).remote(), "a new key keeps what each link learned");
        s.setLinks(2, true);
        assertTrue(s.apply(List.of(peer(1, k1, null), peer(2, k1, null)), List.of(), problems::add).forMux(2)
                .spreads());
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void keyDerivationSizeIsPerConnection() {
        List<String> problems = new ArrayList<>();
        // a 192-bit key while the process runs cipher aes-ctr-128: fine (sizes are independent); a record whose
        // key does not fit its own key length cannot even be built, so check the process-wide mismatch instead
        ConnectionRegistry nullProcess = new ConnectionRegistry(CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1,
                10, 0, DeviceType.TUN, null, 0, List.of(), true);
        ConnectionTable t = nullProcess.apply(List.of(peer(1, "00112233445566778899aabbccddeeff0011223344556677",
                null)), List.of(), problems::add);
        assertTrue(t.forMux(1) != null, "aes-ctr-192 key derivation with an aes-ctr-128 cipher is legal");
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void servedEndpointIsUsedAndUnsetKeepsTheLearnedOne() {
        ConnectionRegistry s = server();
        InetSocketAddress served = new InetSocketAddress("127.0.0.5", 4455);
        ConnectionTable t = s.apply(List.of(peer(7, "00112233445566778899aabbccddeeff", served)), List.of(),
                p -> { });
        assertEquals(served, t.forMux(7).remote());
    }

    private static ConnectionRecord synced(int mux, String keyHex, long seq, String host, int port) {
        byte[] key = Hex.parse(keyHex);
        return new ConnectionRecord(mux, Role.LEFT, key.length * 8, SALT, key, 0, seq, host, port);
    }

    private static byte[] packetTo(String a, String b, String c, String d) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        String[] parts = {a, b, c, d};
        for (int i = 0; i < 4; i++) {
            buf[SatpLayout.INNER_OFFSET + 16 + i] = (byte) Integer.parseInt(parts[i]);
        }
        return buf;
    }

    @Test
    void syncMergesAndNeverDeletesAndNeverMovesTheCounterBack() {
        ConnectionRegistry s = server();
        List<String> problems = new ArrayList<>();
        String k1 = "00112233445566778899aabbccddeeff";
        int lead = ConnectionRegistry.SEQ_LEAD;
        ConnectionTable t1 = s.merge(List.of(synced(0, k1, 5, "10.231.0.11", 5555),
                RouteRecord.parse("192.168.77.2/32", 0)), problems::add);
        Connection c = t1.forMux(0);
        assertEquals(new InetSocketAddress("10.231.0.11", 5555), c.remote(), "endpoint from the peer");
        assertEquals(5 + lead, c.session().nextSeq(), "first heard of from a peer: past the peer's counter");
        for (int i = 0; i < 10; i++) {
            byte[] buf = packetTo("192", "168", "77", "2");
            assertSame(c, t1.forOutgoing(buf, 20));
            c.session().seal(buf, 20, new PacketResult());
        }
        // a later record with a lower counter (a controld table, or a peer that sent less): our counter stays
        ConnectionTable t2 = s.merge(List.of(synced(0, k1, 0, "0.0.0.0", 0)), problems::add);
        assertSame(c, t2.forMux(0), "same keys: same connection");
        assertEquals(15 + lead, c.session().nextSeq(), "never back: the client would drop our packets as replays");
        assertEquals(new InetSocketAddress("10.231.0.11", 5555), c.remote(), "0.0.0.0 keeps the endpoint");
        // a higher one moves it forward (a peer sharing our sender id), without a second lead
        s.merge(List.of(synced(0, k1, 3L * lead, "10.231.0.11", 5556)), problems::add);
        assertEquals(3 * lead, c.session().nextSeq());
        assertEquals(5556, c.remote().getPort(), "a new endpoint from the peer");
        // another mux: added, and nothing is ever removed by sync
        ConnectionTable t3 = s.merge(List.of(synced(1, k1, 0, "0.0.0.0", 0)), problems::add);
        assertSame(c, t3.forMux(0));
        assertTrue(t3.forMux(1) != null);
        // new keys for mux 0: a new session, but its counter does not go back either
        var keyBefore = c.session();
        ConnectionTable t4 = s.merge(List.of(synced(0, "ffeeddccbbaa99887766554433221100", 3, "0.0.0.0", 0)),
                problems::add);
        assertNotSame(keyBefore, t4.forMux(0).session());
        assertSame(keyBefore, t4.forMux(0).previous(), "the previous key is still accepted for a while");
        assertEquals(3 * lead, t4.forMux(0).session().nextSeq());
        assertEquals(5556, t4.forMux(0).remote().getPort(), "the endpoint survives a rekey");
        // a control table's 0 never moves a counter, and adds no lead
        ConnectionTable t5 = s.apply(List.of(synced(9, k1, 0, "0.0.0.0", 0)), List.of(), problems::add);
        assertEquals(0, t5.forMux(9).session().nextSeq());
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void syncedRoutesMatchByLongestPrefixInAnyOrder() {
        String k1 = "00112233445566778899aabbccddeeff";
        for (boolean longFirst : new boolean[] {true, false}) {
            ConnectionRegistry s = server();
            RouteRecord r24 = RouteRecord.parse("10.0.1.0/24", 2);
            RouteRecord r20 = RouteRecord.parse("10.0.0.0/20", 1);
            ConnectionTable t = s.merge(List.of(synced(1, k1, 0, "0.0.0.0", 0), synced(2, k1, 0, "0.0.0.0", 0),
                    longFirst ? r24 : r20, longFirst ? r20 : r24), p -> { });
            assertSame(t.forMux(2), t.forOutgoing(packetTo("10", "0", "1", "5"), 20), "the /24 wins: " + longFirst);
            assertSame(t.forMux(1), t.forOutgoing(packetTo("10", "0", "2", "5"), 20));
        }
    }

    @Test
    void dumpIsWhatAnytunSendsAndLeadsTheCounter() {
        byte[] key = Hex.parse("00112233445566778899aabbccddeeff");
        var suite = org.janytun.crypto.CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128,
                AuthAlgorithm.SHA1, 10, key, SALT, null);
        Connection local = new Connection(new org.janytun.session.SatpSession(suite, Role.LEFT, 2, 0,
                DeviceType.TUN, 64), (InetSocketAddress) null);
        ConnectionRegistry s = new ConnectionRegistry(CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10, 2,
                DeviceType.TUN, local, 0, List.of(org.janytun.route.IpPrefix.parse("192.168.77.2/32")), true);
        s.merge(List.of(synced(7, "ffeeddccbbaa99887766554433221100", 0, "0.0.0.0", 0),
                RouteRecord.parse("fd00::/64", 7), RouteRecord.parse("10.0.0.0/8", 7)), p -> { });
        local.learn(0, new InetSocketAddress("10.231.0.11", 5555));
        var dump = s.dump();
        assertEquals(5, dump.size(), dump.toString());
        ConnectionRecord first = (ConnectionRecord) dump.get(0);
        assertEquals(0, first.mux());
        assertEquals("10.231.0.11:5555", first.endpointText());
        assertEquals(ConnectionRegistry.SEQ_LEAD, first.seqNr(), "our counter, told with the lead");
        assertEquals(64, first.windowSize());
        assertTrue(java.util.Arrays.equals(key, first.masterKey()));
        assertEquals(7, ((ConnectionRecord) dump.get(1)).mux());
        assertEquals("not registered", ((ConnectionRecord) dump.get(1)).endpointText());
        assertEquals(List.of("10.0.0.0/8", "192.168.77.2/32", "fd00::/64"), dump.subList(2, 5).stream()
                .map(r -> ((RouteRecord) r).addressText() + "/" + ((RouteRecord) r).prefixLength()).toList(),
                "IPv4 before IPv6, shorter prefixes first");
        assertEquals(first, s.record(0));
    }

    @Test
    void everyNewTableIsPublishedInOrder() throws Exception {
        ConnectionRegistry s = server();
        List<ConnectionTable> published = java.util.Collections.synchronizedList(new ArrayList<>());
        s.publishTo(published::add);
        String k1 = "00112233445566778899aabbccddeeff";
        // a control host and a cluster peer at once: the last table published is the registry's own
        Thread control = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 200; i++) {
                s.apply(List.of(synced(1, k1, 0, "0.0.0.0", 0)), List.of(), p -> { });
            }
        });
        for (int i = 0; i < 200; i++) {
            s.merge(List.of(synced(2 + i % 3, k1, 0, "0.0.0.0", 0)), p -> { });
        }
        control.join();
        assertEquals(400, published.size());
        assertSame(s.table(), published.getLast());
        assertTrue(s.table().forMux(1) != null && s.table().forMux(4) != null);
    }
}
