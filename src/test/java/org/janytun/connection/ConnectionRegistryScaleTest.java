package org.janytun.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Role;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncRecord;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: what a connection costs in heap on a server (a table from a control host) and on a sync node (records
 * merged from a peer), with a table of every mux there is (65,536: the mux is 16 bits, SPEC §2), each with its own
 * keys, a /32 route and a -w 64 window that has seen a packet. A measurement with a bound, not a timing: the heap
 * retained after full collections, divided by the connections.
 */
public class ConnectionRegistryScaleTest {
    private static final int N = 1 << 16;
    /** The goal per connection, connection state, route and table slot included. */
    private static final long BOUND = 2048;

    @Test
    void aServerHoldsAFullTableInUnderTwoKibAConnection() {
        List<ConnectionRecord> records = records();
        List<RouteRecord> routes = routes();
        long before = retainedHeap();
        ConnectionRegistry server = registry();
        long t0 = System.nanoTime();
        ConnectionTable table = server.apply(records, routes, p -> { throw new AssertionError(p); });
        long loadMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(N, table.connections().size());
        heardFromOnce(table, records);
        long perConnection = (retainedHeap() - before) / N;
        System.out.printf("server: %d connections, %d bytes retained each (applied in %d ms)%n", N, perConnection,
                loadMillis);
        assertTrue(perConnection <= BOUND, perConnection + " bytes a connection on a server");
        assertSame(table, server.table()); // kept alive to here

        // a reload that changes one record's key keeps every other connection as it is
        Connection untouched = table.forMux(7);
        var keyBefore = table.forMux(N / 2).session();
        ConnectionRecord old = records.get(N / 2);
        records.set(N / 2, new ConnectionRecord(old.mux(), Role.LEFT, 128, old.masterSalt(), bytes(16, 1, 99), 64, 0,
                ConnectionRecord.UNSET_HOST, 0));
        t0 = System.nanoTime();
        ConnectionTable reloaded = server.apply(records, routes, p -> { throw new AssertionError(p); });
        System.out.printf("server: reload changing one record applied in %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertSame(untouched, reloaded.forMux(7));
        assertTrue(reloaded.forMux(N / 2).session() != keyBefore, "the changed record's connection has its new key");
    }

    @Test
    void aTableBeyondTheCapacityIsRefusedAndTheCurrentOneStays() {
        ConnectionRegistry server = registry();
        server.setCapacity(100);
        List<String> problems = new ArrayList<>();
        ConnectionTable first = server.apply(records().subList(0, 100), List.of(), problems::add);
        assertEquals(List.of(), problems);
        ConnectionTable second = server.apply(records().subList(0, 101), List.of(), problems::add);
        assertSame(first, second);
        assertEquals(List.of("the served table of 101 connections is beyond --capacity 100: refused, the current"
                + " table of 100 stays"), problems);
        // a cluster peer's new connections beyond it are not taken, its known ones still are
        problems.clear();
        ConnectionTable merged = server.merge(records().subList(50, 150), problems::add);
        assertEquals(100, merged.connections().size());
        assertEquals(List.of("50 connections from a cluster peer refused: beyond --capacity 100 (this node holds"
                + " 100)"), problems);
    }

    @Test
    void aSyncNodeHoldsAFullTableInUnderTwoKibAConnection() {
        List<SyncRecord> dump = new ArrayList<>(records());
        dump.addAll(routes());
        long before = retainedHeap();
        ConnectionRegistry node = registry();
        long t0 = System.nanoTime();
        ConnectionTable table = node.merge(dump, p -> { throw new AssertionError(p); });
        long mergeMillis = (System.nanoTime() - t0) / 1_000_000;
        dump.clear();
        assertEquals(N, table.connections().size());
        long perConnection = (retainedHeap() - before) / N;
        System.out.printf("sync node: %d connections, %d bytes retained each (merged in %d ms)%n", N, perConnection,
                mergeMillis);
        assertTrue(perConnection <= BOUND, perConnection + " bytes a connection on a sync node");
        assertNotNull(node.table().forMux(N / 2));
        // and it can give all of it to the next node
        t0 = System.nanoTime();
        List<SyncRecord> again = node.dump();
        org.janytun.sync.SyncCodec codec = new org.janytun.sync.SyncCodec();
        long bytes = 0;
        for (SyncRecord r : again) {
            bytes += codec.encodeFrame(r).length;
        }
        System.out.printf("sync node: dump of %d records, %d bytes, in %d ms%n", again.size(), bytes,
                (System.nanoTime() - t0) / 1_000_000);
        assertEquals(2 * N, again.size());
    }

    private static ConnectionRegistry registry() {
        return new ConnectionRegistry(CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10, 0, DeviceType.TUN, null, 0,
                List.of(), true);
    }

    private static byte[] bytes(int n, int mux, int salt) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (mux * 31 + i * 7 + salt);
        }
        b[0] = (byte) mux;
        b[1] = (byte) (mux >>> 8);
        return b;
    }

    private static List<ConnectionRecord> records() {
        List<ConnectionRecord> out = new ArrayList<>(N);
        for (int mux = 0; mux < N; mux++) {
            out.add(new ConnectionRecord(mux, Role.LEFT, 128, bytes(14, mux, 1), bytes(16, mux, 2), 64, 0,
                    ConnectionRecord.UNSET_HOST, 0));
        }
        return out;
    }

    private static List<RouteRecord> routes() {
        List<RouteRecord> out = new ArrayList<>(N);
        for (int mux = 0; mux < N; mux++) {
            out.add(new RouteRecord(new byte[] {10, 9, (byte) (mux >>> 8), (byte) mux}, 32, mux));
        }
        return out;
    }

    /** Each connection opens one packet from its client, so its replay window exists. */
    private static void heardFromOnce(ConnectionTable table, List<ConnectionRecord> records) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        PacketResult r = new PacketResult();
        for (ConnectionRecord rec : records) {
            CryptoSuite suite = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1,
                    10, rec.masterKey(), rec.masterSalt(), null);
            SatpSession client = new SatpSession(suite, Role.RIGHT, 1, rec.mux(), DeviceType.TUN, 64);
            buf[SatpLayout.INNER_OFFSET] = 0x45;
            assertTrue(client.seal(buf, 20, r));
            assertTrue(table.forMux(rec.mux()).open(buf, r.datagramLength(), r), String.valueOf(r.drop()));
        }
    }

    /** The heap in use after full collections (the least of five): what the live objects hold. */
    public static long retainedHeap() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, mx.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
