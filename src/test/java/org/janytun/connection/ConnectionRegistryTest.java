package org.janytun.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.janytun.device.DeviceType;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
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

    @Test
    void reloadKeepsUnchangedConnectionsAndDropsRemovedOnes() {
        ConnectionRegistry s = server();
        List<String> problems = new ArrayList<>();
        String k1 = "00112233445566778899aabbccddeeff";
        String k2 = "ffeeddccbbaa99887766554433221100";
        ConnectionTable t1 = s.apply(List.of(peer(1, k1, null), peer(2, k2, null)),
                List.of(route("10.1.0.0/16", 1), route("10.2.0.0/16", 2)), problems::add);
        Connection c1 = t1.forMux(1);
        InetSocketAddress learned = new InetSocketAddress("127.0.0.1", 5000);
        c1.learn(learned);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        for (int i = 0; i < 2; i++) {
            buf[SatpLayout.INNER_OFFSET] = 0x45; // sealing encrypts in place
            c1.session().seal(buf, 20);
        }

        // reload: mux 1 unchanged, mux 2 rekeyed, mux 3 new, the 10.2/16 route gone
        ConnectionTable t2 = s.apply(List.of(peer(1, k1, null), peer(2, k1, null), peer(3, k2, null)),
                List.of(route("10.1.0.0/16", 1)), problems::add);
        assertSame(c1, t2.forMux(1), "unchanged keys: same connection, same counter and endpoint");
        assertEquals(learned, t2.forMux(1).remote());
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        c1.session().seal(buf, 20);
        assertEquals(2, SatpLayout.seq(buf), "the counter went on, it was not reset");
        java.util.Arrays.fill(buf, (byte) 0);
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        assertNotSame(t1.forMux(2), t2.forMux(2), "new keys: new session");
        assertTrue(t2.routing());
        buf[SatpLayout.INNER_OFFSET + 16] = 10;
        buf[SatpLayout.INNER_OFFSET + 17] = 2;
        assertNull(t2.forOutgoing(buf, 20), "removed route is gone");
        buf[SatpLayout.INNER_OFFSET + 17] = 1;
        assertSame(c1, t2.forOutgoing(buf, 20));

        ConnectionTable t3 = s.apply(List.of(peer(3, k2, null)), List.of(), problems::add);
        assertNull(t3.forMux(1), "removed connection is gone");
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
}
