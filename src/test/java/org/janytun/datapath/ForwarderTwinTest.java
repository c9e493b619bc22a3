package org.janytun.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Role;
import org.janytun.device.Checksum;
import org.janytun.wire.DeviceType;
import org.janytun.device.LinuxTunDevice;
import org.janytun.os.Libc;
import org.janytun.session.SatpSession;
import org.janytun.address.AddressFamily;
import org.janytun.transport.Transport;
import org.janytun.transport.UdpSocket;
import org.junit.jupiter.api.Test;

/**
 * Two forwarders back to back over 127.0.0.1, their devices socket pairs that speak virtio_net_hdr like a tun with
 * offloads: a large TCP segment written into one comes out of the other as the same bytes (split into packets,
 * sealed, batched with sendmmsg/GSO, received with recvmmsg/GRO, opened, merged), in order. No root needed.
 */
class ForwarderTwinTest {

    private static final class End implements AutoCloseable {
        final int peer;
        final LinuxTunDevice device;
        final Transport transport;
        Forwarder forwarder;
        final LongAdder dropped = new LongAdder();

        End(boolean vnet) throws Exception {
            int[] sv = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC | Libc.O_NONBLOCK, 0);
            peer = sv[1];
            device = LinuxTunDevice.wrap(sv[0], "twin", DeviceType.TUN, vnet);
            transport = UdpSocket.open("127.0.0.1", 0, AddressFamily.IPV4);
        }

        InetSocketAddress address() throws Exception {
            return transport.localAddresses().getFirst();
        }

        void start(SatpSession session, InetSocketAddress remote) throws Exception {
            forwarder = new Forwarder(device, transport, ConnectionTable.single(new Connection(session, remote)),
                    r -> dropped.increment(), () -> { });
            forwarder.start();
        }

        @Override
        public void close() throws Exception {
            forwarder.close();
            device.close();
            Libc.close(peer);
        }
    }

    static byte[] tcp(int seq, byte[] payload, int from, int len, boolean gso) {
        byte[] b = new byte[10 + 40 + len];
        int o = 10;
        b[o] = 0x45;
        b[o + 2] = (byte) ((40 + len) >>> 8);
        b[o + 3] = (byte) (40 + len);
        b[o + 6] = 0x40;
        b[o + 8] = 64;
        b[o + 9] = 6;
        b[o + 12] = 10; b[o + 15] = 1;
        b[o + 16] = 10; b[o + 19] = 2;
        Checksum.fixIpv4Header(b, o, 20);
        int t = o + 20;
        b[t] = (byte) 0x9c; b[t + 1] = 0x40;
        b[t + 2] = 0x14; b[t + 3] = 0x51;
        b[t + 4] = (byte) (seq >>> 24); b[t + 5] = (byte) (seq >>> 16); b[t + 6] = (byte) (seq >>> 8); b[t + 7] = (byte) seq;
        b[t + 11] = 1;
        b[t + 12] = 0x50;
        b[t + 13] = 0x10;
        b[t + 14] = 0x10;
        System.arraycopy(payload, from, b, t + 20, len);
        long pseudo = Checksum.pseudoHeader(b, o, 4, 6, 20 + len);
        int c = gso ? Checksum.fold(pseudo) : Checksum.finish(Checksum.add(b, t, 20 + len, pseudo));
        b[t + 16] = (byte) (c >>> 8);
        b[t + 17] = (byte) c;
        if (gso) {
            b[0] = 1; b[1] = 1; b[2] = 40; b[4] = (byte) (1360 & 0xFF); b[5] = (byte) (1360 >>> 8);
            b[6] = 20; b[8] = 16;
        }
        return b;
    }

    @Test
    void largeSegmentsArriveIntactWithOffloads() throws Exception {
        runThrough(true);
    }

    @Test
    void packetsArriveIntactWithoutOffloads() throws Exception {
        runThrough(false);
    }

    private void runThrough(boolean vnet) throws Exception {
        CryptoSuite suite = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10,
                null, null, "twin".getBytes());
        try (End a = new End(vnet); End b = new End(vnet)) {
            assertTrue(a.transport.describe().startsWith("recvmmsg"), "batch I/O on 127.0.0.1");
            a.start(new SatpSession(suite, Role.LEFT, 1, 0, DeviceType.TUN, 64), b.address());
            b.start(new SatpSession(suite, Role.RIGHT, 2, 0, DeviceType.TUN, 64), a.address());
            byte[] data = new byte[300_000];
            new Random(7).nextBytes(data);
            Libc.CallState st = new Libc.CallState();
            int chunk = vnet ? 30_000 : 1360;
            // At most a window in flight: UDP may drop what overflows a socket buffer, and the test must not
            // depend on timing. 64 KiB is what a TCP sender puts in flight at once without offloads.
            int window = 64 * 1024;
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] in = new byte[70_000];
            MemorySegment pfd = Arena.ofAuto().allocate(8, 8);
            pfd.set(ValueLayout.JAVA_INT, 0, b.peer);
            pfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
            int expectSeq = 1;
            int pos = 0;
            while (got.size() < data.length) {
                while (pos < data.length && pos - got.size() < window) {
                    int len = Math.min(chunk, data.length - pos);
                    byte[] p = tcp(1 + pos, data, pos, len, vnet);
                    int off = vnet ? 0 : 10;
                    assertEquals(p.length - off, Libc.write(st, a.peer, p, off, p.length - off));
                    pos += len;
                }
                int n = Libc.read(st, b.peer, in, 0, in.length);
                if (n < 0) {
                    assertTrue(Libc.poll(st, pfd, 1, 5000) > 0, "data stopped after " + got.size() + " bytes, "
                            + a.dropped.sum() + "/" + b.dropped.sum() + " dropped");
                    continue;
                }
                int ip = vnet ? 10 : 0;
                if (vnet && in[1] != 0) {
                    assertEquals(1, in[0], "NEEDS_CSUM on a merged write");
                }
                int seq = (in[ip + 24] & 0xFF) << 24 | (in[ip + 25] & 0xFF) << 16 | (in[ip + 26] & 0xFF) << 8 | (in[ip + 27] & 0xFF);
                assertEquals(expectSeq, seq, "in order (" + a.dropped.sum() + "/" + b.dropped.sum() + " dropped)");
                got.write(in, ip + 40, n - ip - 40);
                expectSeq += n - ip - 40;
            }
            assertArrayEquals(data, got.toByteArray());
            assertEquals(0, a.dropped.sum() + b.dropped.sum());
            // the counters: what A's connection sealed, B's opened and B wrote to its device (read from this thread)
            var ca = a.forwarder.table().connections().getFirst().counters();
            var cb = b.forwarder.table().connections().getFirst().counters();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (b.forwarder.counters().packetsIn() < ca.packetsOut() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(ca.packetsOut() >= data.length / 1400, "sealed " + ca.packetsOut());
            assertEquals(ca.packetsOut(), a.forwarder.counters().packetsOut(), "one connection: all of A's output");
            assertEquals(ca.packetsOut(), cb.packetsIn(), "every datagram A sent B opened");
            assertEquals(cb.packetsIn(), b.forwarder.counters().packetsIn(), "and wrote to its device");
            assertEquals(cb.bytesIn(), b.forwarder.counters().bytesIn());
            assertTrue(cb.bytesIn() > data.length, "inner bytes with headers: " + cb.bytesIn());
            assertTrue(cb.lastReceiveNanos() != 0);
            assertEquals(0, ca.drops() + cb.drops());
            assertEquals(0, a.device.readDrops() + b.device.readDrops());
        }
    }
}
