package org.janytun.datapath;

import static org.janytun.datapath.StageFixture.SUITE;
import static org.janytun.datapath.StageFixture.packet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.connection.TrafficCounters;
import org.janytun.crypto.Role;
import org.janytun.device.MemoryTunDevice;
import org.janytun.session.DropReason;
import org.janytun.session.SatpSession;
import org.janytun.transport.DatagramBatch;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.Test;

/** The receive stage alone, called as a threading policy would, on batches made by hand: no threads, no kernel. */
class ReceiveStageTest {
    private static final InetSocketAddress A = new InetSocketAddress("192.0.2.1", 4444);
    private static final InetSocketAddress B = new InetSocketAddress("192.0.2.2", 4444);
    private static final InetSocketAddress C = new InetSocketAddress("192.0.2.3", 4444);

    private final StageFixture f = new StageFixture();
    private final MemoryTunDevice device = new MemoryTunDevice("rx", 4);
    private final Connection connection =
            new Connection(new SatpSession(SUITE, Role.RIGHT, 0, 0, DeviceType.TUN, 64), A);
    private final ConnectionTable table = ConnectionTable.single(connection);
    private final TrafficCounters total = new TrafficCounters();
    private final ReceiveStage stage = new ReceiveStage(device, () -> table, f.counter, total,
            new EndpointLearning(), 16);
    private final SatpSession peer = new SatpSession(SUITE, Role.LEFT, 0, 0, DeviceType.TUN, 0);
    private final DatagramBatch batch = DatagramBatch.forReceiving(16);

    private byte[] sealed(int seq, byte[] inner) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        System.arraycopy(inner, 0, buf, SatpLayout.INNER_OFFSET, inner.length);
        return Arrays.copyOf(buf, peer.sealAs(buf, inner.length, 0x0800, seq));
    }

    private void add(byte[] datagram, InetSocketAddress from) {
        byte[] buf = batch.nextBuffer();
        System.arraycopy(datagram, 0, buf, 0, datagram.length);
        batch.received(datagram.length, from, 0);
    }

    private List<byte[]> written() throws InterruptedException {
        List<byte[]> out = new java.util.ArrayList<>();
        for (byte[] p = device.nextWritten(0); p != null; p = device.nextWritten(0)) {
            out.add(p);
        }
        return out;
    }

    @Test
    void opensInOrderAndWritesInDeviceSizedBatches() throws Exception {
        long bytes = 0;
        for (int i = 0; i < 10; i++) {
            add(sealed(i, packet(i, 100 + i)), A);
            bytes += 100 + i;
        }
        stage.process(batch, 42);
        List<byte[]> out = written();
        assertEquals(10, out.size());
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(packet(i, 100 + i), out.get(i), "packet " + i);
        }
        assertEquals(List.of(4, 4, 2), device.writeBatches(), "chunks of the device's batch size");
        assertEquals(10, total.packetsIn());
        assertEquals(bytes, total.bytesIn());
        assertEquals(10, connection.counters().packetsIn());
        assertEquals(42, connection.counters().lastReceiveNanos());
        assertEquals(0, connection.counters().drops());
    }

    @Test
    void eachBadDatagramIsDroppedWithItsReasonAndTheGoodOnesPass() throws Exception {
        byte[] good = sealed(1, packet(1, 60));
        byte[] forged = good.clone();
        forged[SatpLayout.INNER_OFFSET + 3] ^= 1;
        byte[] otherMux = sealed(2, packet(2, 60));
        otherMux[SatpLayout.MUX_OFFSET + 1] = 9;
        batch.received(DatagramBatch.TRUNCATED, A, 0);
        add(new byte[0], A);
        add(new byte[SatpLayout.HEADER_LENGTH + 2], A);  // its mux (0) exists, but no room for a tag
        add(otherMux, A);
        add(forged, A);
        add(good, A);
        add(good, A);                                     // the same again: a replay
        add(sealed(3, packet(3, 60)), A);
        stage.process(batch, 1);
        List<byte[]> out = written();
        assertEquals(2, out.size());
        assertArrayEquals(packet(1, 60), out.get(0));
        assertArrayEquals(packet(3, 60), out.get(1));
        assertEquals(1, f.dropped(DropReason.OVERSIZE));
        assertEquals(2, f.dropped(DropReason.TOO_SHORT));
        assertEquals(1, f.dropped(DropReason.WRONG_MUX));
        assertEquals(1, f.dropped(DropReason.BAD_TAG));
        assertEquals(1, f.dropped(DropReason.REPLAYED));
        assertEquals(1, connection.counters().drops(DropReason.BAD_TAG), "the connection's own count");
        assertEquals(1, connection.counters().drops(DropReason.REPLAYED));
        assertEquals(2, total.packetsIn());
    }

    @Test
    void onlyTheNewestAuthenticPacketMovesTheEndpoint() throws Exception {
        add(sealed(5, packet(5, 60)), B);
        add(sealed(3, packet(3, 60)), C);   // inside the window, authentic, but older: delivered, does not move
        byte[] forged = sealed(9, packet(9, 60));
        forged[forged.length - 1] ^= 1;
        add(forged, C);                     // newer but not authentic: neither
        stage.process(batch, 1);
        assertEquals(2, written().size());
        assertEquals(B, connection.remote());
        batch.clear();
        add(sealed(6, packet(6, 60)), C);
        stage.process(batch, 2);
        assertEquals(C, connection.remote());
    }

    @Test
    void aKeepaliveIsCountedMovesTheEndpointAndReachesNoDevice() throws Exception {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        org.janytun.session.PacketResult r = new org.janytun.session.PacketResult();
        assertTrue(peer.sealKeepalive(buf, r));
        add(Arrays.copyOf(buf, r.datagramLength()), B);
        stage.process(batch, 42);
        assertEquals(0, written().size());
        assertEquals(B, connection.remote(), "a keepalive is how a peer behind a NAT stays reachable");
        assertEquals(1, connection.counters().keepalivesIn());
        assertEquals(42, connection.counters().lastReceiveNanos());
        assertEquals(0, connection.counters().drops());
        assertEquals(0, f.drops.size(), "neither a drop nor a line in the log");
    }

    @Test
    void aPartlyRefusedWriteCountsDeliveriesAndDrops() throws Exception {
        device.failWrites(i -> i % 2 == 1);
        for (int i = 0; i < 6; i++) {
            add(sealed(i, packet(i, 80)), A);
        }
        stage.process(batch, 1);
        assertEquals(3, written().size());
        assertEquals(3, f.dropped(DropReason.DEVICE_WRITE_FAILED));
        assertEquals(3, total.packetsIn(), "what the device took");
        assertEquals(3 * 80, total.bytesIn());
        assertEquals(6, connection.counters().packetsIn(), "what was opened for the connection");
        assertNull(device.nextWritten(0));
    }

    /**
     * RAIL: a connection with a path per link. Each link learns its endpoint from the first copy that is new on it;
     * the copies of a packet another link delivered first are counted for their link as RAIL duplicates and do not
     * reach the drop log; an old packet replayed on a link is still a replay.
     */
    @Test
    void railCopiesAreCountedPerLinkAndEachLinkLearnsItsEndpoint() throws Exception {
        org.janytun.connection.Path[] paths = new org.janytun.connection.Path[3];
        for (int l = 0; l < 3; l++) {
            paths[l] = new org.janytun.connection.Path(l, null);
        }
        Connection rail = Connection.of(new SatpSession(SUITE, Role.RIGHT, 0, 0, DeviceType.TUN, 64), paths);
        ConnectionTable t = ConnectionTable.single(rail);
        ReceiveStage s = new ReceiveStage(device, () -> t, f.counter, total, new EndpointLearning(), 16);
        InetSocketAddress[] from = {A, B, C};
        for (int seq = 1; seq <= 3; seq++) {
            byte[] d = sealed(seq, packet(seq, 60));
            for (int l = 0; l < 3; l++) {
                byte[] buf = batch.nextBuffer();
                System.arraycopy(d, 0, buf, 0, d.length);
                batch.received(d.length, from[(l + seq) % 3], l); // the links' sources rotate: each moves each time
            }
        }
        byte[] old = sealed(1, packet(1, 60));
        byte[] buf = batch.nextBuffer();
        System.arraycopy(old, 0, buf, 0, old.length);
        batch.received(old.length, C, 2); // seq 1 again on link 2, which has seen 3 since: a replay
        s.process(batch, 7);
        assertEquals(3, written().size(), "each packet once");
        assertEquals(6, rail.counters().drops(DropReason.RAIL_DUPLICATE));
        assertEquals(1, rail.counters().drops(DropReason.REPLAYED));
        assertEquals(0, f.dropped(DropReason.RAIL_DUPLICATE), "copies are not for the drop log");
        assertEquals(1, f.dropped(DropReason.REPLAYED));
        for (int l = 0; l < 3; l++) {
            assertEquals(from[(l + 3) % 3], paths[l].remote(), "link " + l + " follows its newest packet");
            assertEquals(3, paths[l].counters().packetsIn() + paths[l].counters().drops(DropReason.RAIL_DUPLICATE),
                    "link " + l + ": every new packet came in on it, first or as a copy");
        }
        assertEquals(3, paths[0].counters().packetsIn(), "link 0 was first each time");
        assertEquals(0, paths[0].skipped() + paths[1].skipped() + paths[2].skipped(), "no link lost anything");
    }
}
