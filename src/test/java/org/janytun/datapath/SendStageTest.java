package org.janytun.datapath;

import static org.janytun.datapath.StageFixture.SUITE;
import static org.janytun.datapath.StageFixture.packet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.connection.Path;
import org.janytun.connection.TrafficCounters;
import org.janytun.crypto.Role;
import org.janytun.device.MemoryTunDevice;
import org.janytun.session.DropReason;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.transport.DatagramSender;
import org.janytun.wire.DeviceType;
import org.junit.jupiter.api.Test;

/** The send stage alone, called as a threading policy would, with a recording sender: no threads, no kernel. */
class SendStageTest {
    private static final InetSocketAddress B = new InetSocketAddress("192.0.2.2", 4444);
    private static final InetSocketAddress C = new InetSocketAddress("192.0.2.3", 4444);

    private record Sent(byte[] bytes, InetSocketAddress to, int link) {
    }

    private final StageFixture f = new StageFixture();
    private final MemoryTunDevice device = new MemoryTunDevice("tx", 4);
    private final TrafficCounters total = new TrafficCounters();
    private final List<Sent> sent = new ArrayList<>();
    private int sendCalls;
    private java.util.function.IntPredicate fail = i -> false;
    private int sendIndex;
    private final DatagramSender sender = batch -> {
        sendCalls++;
        int failed = 0;
        for (int i = 0; i < batch.count(); i++) {
            if (fail.test(sendIndex++)) {
                failed++;
            } else {
                sent.add(new Sent(Arrays.copyOf(batch.buf(i), batch.length(i)), batch.address(i), batch.link(i)));
            }
        }
        return failed;
    };

    private SendStage stage(Connection c) {
        ConnectionTable t = ConnectionTable.single(c);
        return new SendStage(device, () -> t, f.counter, total, sender);
    }

    private static Connection connection(Path... paths) {
        return Connection.of(new SatpSession(SUITE, Role.LEFT, 7, 0, DeviceType.TUN, 0), paths);
    }

    /** Opens a datagram the way the peer would, to see which sequence number and packet it carries. */
    private static int seqOf(byte[] datagram, byte[] expectInner) {
        SatpSession peer = new SatpSession(SUITE, Role.RIGHT, 0, 0, DeviceType.TUN, 0);
        byte[] buf = Arrays.copyOf(datagram, 2048);
        PacketResult r = new PacketResult();
        peer.open(buf, datagram.length, r);
        assertArrayEquals(expectInner, Arrays.copyOfRange(buf, r.innerOffset(), r.innerOffset() + r.innerLength()));
        return r.seq();
    }

    @Test
    void aKeepaliveGoesToEachPathOfAPeerSentNothingForTheInterval() throws Exception {
        Connection c = connection(new Path(0, B), new Path(1, C));
        SendStage s = stage(c);
        long second = 1_000_000_000L;
        s.tick(5 * second);
        assertEquals(0, sent.size(), "off by default");
        s.keepalive(10 * second);
        s.tick(6 * second);
        assertEquals(2, sent.size(), "the first check of a connection never sent to: one on each path");
        assertEquals(0, seqOf(sent.get(0).bytes(), new byte[0]), "an authentic, empty packet");
        assertEquals(List.of(B, C), sent.stream().map(Sent::to).toList());
        s.tick(15 * second);
        assertEquals(2, sent.size(), "not yet 10 s");
        device.inject(packet(0, 60));
        s.pull(0); // traffic at 16 s
        s.tick(16 * second + 1);
        s.tick(25 * second);
        assertEquals(4, sent.size(), "10 s after the keepalive, but the packet was sent since");
        s.tick(27 * second);
        assertEquals(6, sent.size(), "10 s after the packet was seen");
        assertEquals(2, seqOf(sent.get(4).bytes(), new byte[0]));
        assertEquals(2, c.counters().keepalivesOut());
        assertEquals(6, c.counters().packetsOut());
        s.keepalive(0);
        s.tick(60 * second);
        assertEquals(6, sent.size(), "turned off");
    }

    /** KEEPALIVE_TIMEOUT: a session peer's data that nothing answered for 10 s gets a keepalive; a legacy peer not. */
    @Test
    void aSessionAnswersDataItSentNothingBackToWithinTenSeconds() {
        long second = 1_000_000_000L;
        for (boolean session : new boolean[] {true, false}) {
            sent.clear();
            Connection c = connection(new Path(0, B));
            if (session) {
                c.session().restrictToPhase(0);
            }
            SendStage s = stage(c);
            s.tick(1 * second);
            c.counters().received(1, 60, 2 * second); // data came in at 2 s
            s.tick(3 * second);
            s.tick(12 * second);
            assertEquals(0, sent.size(), "not yet 10 s");
            s.tick(13 * second);
            assertEquals(session ? 1 : 0, sent.size(), session ? "10 s after the data was seen" : "never legacy");
            s.tick(30 * second);
            assertEquals(session ? 1 : 0, sent.size(), "once: nothing came in since");
        }
    }

    @Test
    void anIdlePeerGetsAKeepaliveEveryInterval() {
        Connection c = connection(new Path(0, B));
        SendStage s = stage(c);
        long second = 1_000_000_000L;
        s.keepalive(2 * second);
        for (int t = 10; t <= 20; t++) {
            s.tick(t * second);
        }
        assertEquals(6, sent.size(), "at 10, 12, 14, 16, 18 and 20 s");
    }

    @Test
    void aKeepaliveNeedsAnEndpoint() {
        Connection c = connection(new Path(0, null));
        SendStage s = stage(c);
        s.keepalive(1);
        s.tick(1);
        assertEquals(0, sent.size());
        assertEquals(0, c.session().nextSeq(), "no sequence number used");
    }

    @Test
    void withoutAnEndpointNothingIsSentAndNoSequenceNumberIsUsed() throws Exception {
        Connection c = connection(new Path(0, null));
        SendStage s = stage(c);
        int seq = c.session().nextSeq();
        device.inject(packet(0, 60));
        assertEquals(1, s.pull(0));
        assertEquals(0, sent.size());
        assertEquals(1, f.dropped(DropReason.NO_REMOTE));
        assertEquals(1, c.counters().drops(DropReason.NO_REMOTE));
        assertEquals(seq, c.session().nextSeq(), "the sequence number is not used up");
        c.setRemote(B);
        device.inject(packet(1, 60));
        s.pull(0);
        assertEquals(1, sent.size());
        assertEquals(seq, seqOf(sent.getFirst().bytes(), packet(1, 60)));
    }

    @Test
    void eachDatagramGoesToEveryPathWithAnEndpointInOrderAcrossFlushes() throws Exception {
        Connection c = connection(new Path(0, B), new Path(0, null), new Path(1, C));
        SendStage s = stage(c);
        for (int i = 0; i < 4; i++) {
            device.inject(packet(i, 100 + i));
        }
        assertEquals(4, s.pull(0));
        assertEquals(8, sent.size(), "two paths with an endpoint, four packets");
        assertEquals(2, sendCalls, "the sending batch (4) filled once: flushed in the middle and at the end");
        for (int i = 0; i < 4; i++) {
            Sent viaB = sent.get(2 * i);
            Sent viaC = sent.get(2 * i + 1);
            assertEquals(B, viaB.to());
            assertEquals(0, viaB.link());
            assertEquals(C, viaC.to());
            assertEquals(1, viaC.link());
            assertArrayEquals(viaB.bytes(), viaC.bytes(), "the same datagram on both paths");
            assertEquals(i, seqOf(viaB.bytes(), packet(i, 100 + i)) - seqOf(sent.getFirst().bytes(), packet(0, 100)));
        }
        assertEquals(8, c.counters().packetsOut());
        assertEquals(8, total.packetsOut());
        long bytes = sent.stream().mapToLong(x -> x.bytes().length).sum();
        assertEquals(bytes, total.bytesOut());
        assertEquals(bytes, c.counters().bytesOut());
    }

    @Test
    void eachFailedSendIsADrop() throws Exception {
        fail = i -> i == 1 || i == 2;
        SendStage s = stage(connection(new Path(0, B)));
        for (int i = 0; i < 4; i++) {
            device.inject(packet(i, 100));
        }
        s.pull(0);
        assertEquals(2, sent.size());
        assertEquals(2, f.dropped(DropReason.SEND_FAILED));
        assertEquals(2, total.packetsOut(), "what the transport took");
        assertEquals(2L * sent.getFirst().bytes().length, total.bytesOut());
    }

    @Test
    void aSpreadingConnectionSendsEachDatagramOnTheNextPathWithAnEndpoint() throws Exception {
        Connection c = Connection.spreading(new SatpSession(SUITE, Role.LEFT, 7, 0, DeviceType.TUN, 0),
                new Path(0, B), new Path(1, null), new Path(2, C));
        SendStage s = stage(c);
        for (int i = 0; i < 6; i++) {
            device.inject(packet(i, 100));
        }
        s.pull(0);
        s.pull(0);
        assertEquals(6, sent.size(), "one copy each");
        for (int i = 0; i < 6; i++) {
            assertEquals(i % 2 == 0 ? B : C, sent.get(i).to(), "datagram " + i + ": the paths with an endpoint in turn");
        }
        assertEquals(6, c.counters().packetsOut());
        assertEquals(3, c.paths()[0].counters().packetsOut());
        assertEquals(0, c.paths()[1].counters().packetsOut());
        assertEquals(3, c.paths()[2].counters().packetsOut());
    }
}
