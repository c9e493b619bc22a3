package org.janytun.datapath;

import static org.janytun.datapath.StageFixture.packet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLongArray;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.connection.Path;
import org.janytun.connection.TrafficCounters;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Role;
import org.janytun.device.MemoryTunDevice;
import org.janytun.session.DropReason;
import org.janytun.session.SatpSession;
import org.janytun.transport.MemoryTransport;
import org.janytun.wire.DeviceType;
import org.junit.jupiter.api.Test;

/**
 * Forwarders whose devices and transports are in memory ({@link MemoryTunDevice}, {@link MemoryTransport}): packets
 * arrive in order and intact, fan out to every path, and the counters (global, per connection, per drop reason) say
 * what happened, also when the device or the transport refuses some packets of a batch. No kernel, except for one
 * case that runs the JDK-channel fallback on 127.0.0.1.
 */
class ForwarderInMemoryTest {
    private static final MemoryTransport.Network NETWORK = new MemoryTransport.Network();
    private static final CryptoSuite SUITE = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128,
            AuthAlgorithm.SHA1, 10, null, null, "memory".getBytes());

    private static final class End implements AutoCloseable {
        final MemoryTunDevice device;
        final MemoryTransport transport;
        final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
        Forwarder forwarder;

        End(String name) throws Exception {
            device = new MemoryTunDevice(name, 16);
            transport = NETWORK.open(1024);
        }

        InetSocketAddress address() {
            return transport.address();
        }

        void start(Role role, int senderId, InetSocketAddress... remotes) throws Exception {
            SatpSession s = new SatpSession(SUITE, role, senderId, 0, DeviceType.TUN, 64);
            Path[] paths = new Path[remotes.length];
            for (int i = 0; i < remotes.length; i++) {
                paths[i] = new Path(0, remotes[i]);
            }
            forwarder = new Forwarder(device, transport, ConnectionTable.single(Connection.of(s, paths)),
                    r -> drops.incrementAndGet(r.ordinal()), () -> { });
            forwarder.start();
            assertTrue(forwarder.description().contains("a thread per direction"), forwarder.description());
        }

        TrafficCounters connection() {
            return forwarder.table().connections().getFirst().counters();
        }

        long dropped(DropReason r) {
            return drops.get(r.ordinal());
        }

        @Override
        public void close() {
            if (forwarder != null) {
                forwarder.close();
            }
            transport.close();
            device.close();
        }
    }

    @Test
    void packetsArriveInOrderAndAreCounted() throws Exception {
        try (End a = new End("mem-a"); End b = new End("mem-b")) {
            a.start(Role.LEFT, 1, b.address());
            b.start(Role.RIGHT, 2, a.address());
            int n = 200;
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                byte[] p = packet(i, 60 + i % 1000);
                bytes += p.length;
                a.device.inject(p);
            }
            for (int i = 0; i < n; i++) {
                byte[] got = b.device.nextWritten(5000);
                assertNotNull(got, "packet " + i + " did not arrive");
                assertArrayEquals(packet(i, 60 + i % 1000), got, "packet " + i);
            }
            assertNull(b.device.nextWritten(50), "nothing more");
            settle(() -> b.forwarder.counters().packetsIn() == n); // counted just after the write returns
            assertEquals(n, a.connection().packetsOut());
            assertEquals(n, a.forwarder.counters().packetsOut());
            assertEquals(n, b.connection().packetsIn());
            assertEquals(bytes, b.connection().bytesIn());
            assertEquals(n, b.forwarder.counters().packetsIn());
            assertEquals(bytes, b.forwarder.counters().bytesIn());
            assertEquals(0, a.connection().drops() + b.connection().drops());
            assertEquals(0, a.connection().packetsIn(), "nothing came back");
            assertTrue(b.connection().lastReceiveNanos() != 0);
            assertTrue(b.device.writeBatches().stream().allMatch(k -> k >= 1 && k <= 16), "batches of 1..16");
        }
    }

    /** The device refuses every third packet: the others count as delivered, each refused one as a drop. */
    @Test
    void aPartlyFailedWriteCountsWhatWentThroughAndWhatDidNot() throws Exception {
        try (End a = new End("mem-a"); End b = new End("mem-b")) {
            b.device.failWrites(i -> i % 3 == 2);
            a.start(Role.LEFT, 1, b.address());
            b.start(Role.RIGHT, 2, a.address());
            int n = 90;
            for (int i = 0; i < n; i++) {
                a.device.inject(packet(i, 100));
            }
            for (int i = 0; i < n; i++) {
                if (i % 3 == 2) {
                    continue;
                }
                assertArrayEquals(packet(i, 100), b.device.nextWritten(5000), "packet " + i);
            }
            assertNull(b.device.nextWritten(50));
            settle(() -> b.dropped(DropReason.DEVICE_WRITE_FAILED) == n / 3);
            assertEquals(n, b.connection().packetsIn(), "every datagram opened for the connection");
            assertEquals(n * 2 / 3, b.forwarder.counters().packetsIn(), "two thirds reached the device");
            assertEquals(n / 3, b.dropped(DropReason.DEVICE_WRITE_FAILED), "one drop per refused packet");
        }
    }

    /** The transport refuses every fourth datagram: each refusal is one drop, the rest arrive in order. */
    @Test
    void aPartlyFailedSendCountsEachFailure() throws Exception {
        try (End a = new End("mem-a"); End b = new End("mem-b")) {
            a.transport.failSends(i -> i % 4 == 3);
            a.start(Role.LEFT, 1, b.address());
            b.start(Role.RIGHT, 2, a.address());
            int n = 80;
            for (int i = 0; i < n; i++) {
                a.device.inject(packet(i, 200));
            }
            for (int i = 0; i < n; i++) {
                if (i % 4 != 3) {
                    assertArrayEquals(packet(i, 200), b.device.nextWritten(5000), "packet " + i);
                }
            }
            assertNull(b.device.nextWritten(50));
            settle(() -> a.dropped(DropReason.SEND_FAILED) == n / 4);
            assertEquals(n / 4, a.dropped(DropReason.SEND_FAILED));
            assertEquals(n * 3 / 4, a.forwarder.counters().packetsOut(), "what the transport took");
            long datagram = a.transport.sent().getFirst().bytes().length;
            assertEquals(n * 3 / 4 * datagram, a.forwarder.counters().bytesOut(), "what the transport took, in bytes");
            assertEquals(n, a.connection().packetsOut(), "every packet sealed for the connection");
        }
    }

    /** A connection with two paths sends every datagram, byte for byte the same, on both, in order. */
    @Test
    void everyDatagramGoesOutOnEveryPath() throws Exception {
        try (End a = new End("mem-a"); End b = new End("mem-b"); End c = new End("mem-c")) {
            a.start(Role.LEFT, 1, b.address(), c.address());
            b.start(Role.RIGHT, 2, a.address());
            c.start(Role.RIGHT, 3, a.address());
            int n = 50;
            for (int i = 0; i < n; i++) {
                a.device.inject(packet(i, 300 + i));
            }
            for (int i = 0; i < n; i++) {
                assertArrayEquals(packet(i, 300 + i), b.device.nextWritten(5000), "packet " + i + " via b");
                assertArrayEquals(packet(i, 300 + i), c.device.nextWritten(5000), "packet " + i + " via c");
            }
            var sent = a.transport.sent();
            assertEquals(2 * n, sent.size());
            for (int i = 0; i < n; i++) {
                assertEquals(b.address(), sent.get(2 * i).to());
                assertEquals(c.address(), sent.get(2 * i + 1).to());
                assertArrayEquals(sent.get(2 * i).bytes(), sent.get(2 * i + 1).bytes(), "the same datagram");
            }
            assertEquals(2 * n, a.connection().packetsOut(), "a copy per path");
            assertEquals(2 * n, a.forwarder.counters().packetsOut());
        }
    }

    /** The same forwarder over the JDK-channel transport (-Djanytun.io=jdk) on 127.0.0.1: the fallback works end to end. */
    @Test
    void theJdkChannelFallbackCarriesPacketsInOrder() throws Exception {
        System.setProperty("janytun.io", "jdk");
        org.janytun.transport.Transport ta;
        org.janytun.transport.Transport tb;
        try {
            ta = org.janytun.transport.UdpSocket.open("127.0.0.1", 0, org.janytun.address.AddressFamily.IPV4);
            tb = org.janytun.transport.UdpSocket.open("127.0.0.1", 0, org.janytun.address.AddressFamily.IPV4);
        } finally {
            System.clearProperty("janytun.io");
        }
        MemoryTunDevice da = new MemoryTunDevice("jdk-a", 16);
        MemoryTunDevice db = new MemoryTunDevice("jdk-b", 16);
        Forwarder fa = new Forwarder(da, ta, ConnectionTable.single(new Connection(new SatpSession(SUITE, Role.LEFT,
                1, 0, DeviceType.TUN, 64), tb.localAddresses().getFirst())), r -> { }, () -> { });
        Forwarder fb = new Forwarder(db, tb, ConnectionTable.single(new Connection(new SatpSession(SUITE, Role.RIGHT,
                2, 0, DeviceType.TUN, 64), ta.localAddresses().getFirst())), r -> { }, () -> { });
        try {
            fa.start();
            fb.start();
            assertTrue(fa.description().contains("DatagramChannel") && fa.description().contains("per direction"),
                    fa.description());
            for (int i = 0; i < 100; i++) {
                da.inject(packet(i, 100 + i));
            }
            for (int i = 0; i < 100; i++) {
                assertArrayEquals(packet(i, 100 + i), db.nextWritten(5000), "packet " + i);
            }
            db.inject(packet(7, 64));
            assertArrayEquals(packet(7, 64), da.nextWritten(5000), "and back");
        } finally {
            fa.close();
            fb.close();
            da.close();
            db.close();
        }
    }

    /** Waits up to 2 s for {@code done}: the loops count right after the device write the test has seen. */
    private static void settle(java.util.function.BooleanSupplier done) throws InterruptedException {
        long until = System.nanoTime() + 2_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() - until < 0) {
            Thread.sleep(5);
        }
    }
}
