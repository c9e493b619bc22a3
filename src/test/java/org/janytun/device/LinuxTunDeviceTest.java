package org.janytun.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.janytun.os.Libc;
import org.janytun.os.OsException;
import org.janytun.wire.DeviceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LinuxTunDevice's read/write/close logic over an AF_UNIX SOCK_SEQPACKET pair, which keeps packet boundaries like a tun fd. No root needed. */
class LinuxTunDeviceTest {
    private LinuxTunDevice dev;
    private int peer;
    private final Libc.CallState st = new Libc.CallState();

    @BeforeEach
    void setUp() throws Exception {
        int[] sv = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC | Libc.O_NONBLOCK, 0);
        dev = LinuxTunDevice.wrap(sv[0], "test0", DeviceType.TUN);
        peer = sv[1];
    }

    @AfterEach
    void tearDown() throws Exception {
        dev.close();
        Libc.close(peer);
    }

    @Test
    void readsOnePacketAtTheOffset() throws Exception {
        byte[] pkt = {0x45, 1, 2, 3, 4};
        assertEquals(5, Libc.write(st, peer, pkt, 0, pkt.length));
        byte[][] bufs = {new byte[64]};
        Arrays.fill(bufs[0], (byte) 0x55);
        int[] sizes = new int[1];
        assertEquals(1, dev.read(bufs, sizes, 16, 1000));
        assertEquals(5, sizes[0]);
        assertEquals(Arrays.toString(pkt), Arrays.toString(Arrays.copyOfRange(bufs[0], 16, 21)));
        assertEquals(0x55, bufs[0][15]);
        assertEquals(0x55, bufs[0][21]);
        assertEquals(LinuxTunDevice.BATCH, dev.batchSize());
    }

    @Test
    void timeoutReturnsZero() throws Exception {
        long t0 = System.nanoTime();
        assertEquals(0, dev.read(new byte[][] {new byte[64]}, new int[1], 0, 200));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 150 && ms < 2000, "waited " + ms + " ms");
    }

    @Test
    void writesEveryPacketInTheBatch() throws Exception {
        byte[] a = {0, 0, 0x45, 9};
        byte[] b = {0x60, 8, 7};
        dev.write(new byte[][] {a, b}, new int[] {2, 0}, new int[] {2, 3}, 2);
        byte[] in = new byte[16];
        assertEquals(2, Libc.read(st, peer, in, 0, in.length));
        assertEquals(0x45, in[0]);
        assertEquals(3, Libc.read(st, peer, in, 0, in.length));
        assertEquals(0x60, in[0]);
    }

    @Test
    void aFailedPacketDoesNotStopTheBatch() throws Exception {
        byte[] ok = {0x45, 1};
        byte[] huge = new byte[4 << 20]; // larger than the socket buffer: EMSGSIZE
        OsException e = assertThrows(OsException.class,
                () -> dev.write(new byte[][] {ok, huge, ok}, new int[3], new int[] {2, huge.length, 2}, 3));
        assertEquals(Libc.EMSGSIZE, e.errno());
        assertTrue(e.getMessage().contains("1 of 3 packets failed"), e.getMessage());
        assertEquals(1, assertInstanceOf(PartialWriteException.class, e).failed(), "the other two were written");
        byte[] in = new byte[16];
        assertEquals(2, Libc.read(st, peer, in, 0, in.length));
        assertEquals(2, Libc.read(st, peer, in, 0, in.length));
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return dev.read(new byte[][] {new byte[64]}, new int[1], 0, 60_000);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
        Thread.sleep(300); // let it get into poll
        assertTrue(!reader.isDone());
        long t0 = System.nanoTime();
        dev.close();
        assertEquals(-1, reader.get(2, TimeUnit.SECONDS));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 1000);
        assertFdClosed();
    }

    @Test
    void closeIsIdempotentAndFinal() throws Exception {
        dev.close();
        dev.close();
        assertTrue(dev.isClosed());
        assertEquals(-1, dev.read(new byte[][] {new byte[64]}, new int[1], 0, 1000));
        OsException e = assertThrows(OsException.class,
                () -> dev.write(new byte[][] {{0x45}}, new int[1], new int[] {1}, 1));
        assertEquals(Libc.EBADF, e.errno());
        assertFdClosed();
    }

    @Test
    void perPacketReadAndWriteDoNotAllocate() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[][] bufs = {new byte[2048]};
        int[] sizes = new int[1];
        int[] offsets = {16};
        int[] lens = {1400};
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 30 && best > 0; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                Libc.write(st, peer, bufs[0], 0, 1400); // the peer sends a packet ...
                if (dev.read(bufs, sizes, 16, 1000) != 1) {
                    fail("no packet");
                }
                dev.write(bufs, offsets, lens, 1); // ... the device sends it back ...
                Libc.read(st, peer, bufs[0], 0, 2048); // ... and the peer takes it
            }
            best = Math.min(best, threads.getCurrentThreadAllocatedBytes() - before);
        }
        assertEquals(0, best, "bytes allocated by 10000 write+read rounds once compiled");
    }

    @Test
    void withOffloadsALargeSegmentIsReadAsPacketsAndWrittenBackMerged() throws Exception {
        int[] sv = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC | Libc.O_NONBLOCK, 0);
        LinuxTunDevice vdev = LinuxTunDevice.wrap(sv[0], "vnet0", DeviceType.TUN, true);
        try {
            byte[] data = new byte[20_000];
            new java.util.Random(5).nextBytes(data);
            byte[] big = OffloadTest.tcp(4, 100, 200, 0x18, data, new byte[0]);
            byte[] gso = OffloadTest.asGso(big, 4, 1360);
            assertEquals(gso.length, Libc.write(st, sv[1], gso, 0, gso.length));
            byte[][] bufs = new byte[64][2048];
            int[] sizes = new int[64];
            int n = vdev.read(bufs, sizes, 10, 1000);
            assertEquals(15, n); // ceil(20000 / 1360)
            int[] offsets = new int[n];
            Arrays.fill(offsets, 10);
            for (int i = 0; i < n; i++) {
                assertTrue(OffloadTest.checksumsValid(bufs[i], 10, sizes[i]));
            }
            vdev.write(bufs, offsets, sizes, n);
            byte[] back = new byte[70_000];
            int len = Libc.read(st, sv[1], back, 0, back.length);
            assertEquals(gso.length, len, "one merged write");
            GsoSplitter s = new GsoSplitter();
            assertTrue(s.begin(back, 0, len));
            java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
            while (s.hasMore()) {
                byte[] seg = new byte[2048];
                int l = s.next(seg, 0);
                joined.write(seg, 40, l - 40);
            }
            assertArrayEquals(data, joined.toByteArray());
        } finally {
            vdev.close();
            Libc.close(sv[1]);
        }
    }

    @Test
    void withOffloadsSplittingAndMergingDoNotAllocate() throws Exception {
        int[] sv = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC | Libc.O_NONBLOCK, 0);
        LinuxTunDevice vdev = LinuxTunDevice.wrap(sv[0], "vnet1", DeviceType.TUN, true);
        try {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            byte[] data = new byte[20_000];
            new java.util.Random(6).nextBytes(data);
            byte[] gso = OffloadTest.asGso(OffloadTest.tcp(4, 100, 200, 0x10, data, new byte[0]), 4, 1360);
            byte[][] bufs = new byte[64][2048];
            int[] sizes = new int[64];
            int[] offsets = new int[64];
            Arrays.fill(offsets, 10);
            byte[] back = new byte[70_000];
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 30 && best > 0; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 2_000; i++) {
                    Libc.write(st, sv[1], gso, 0, gso.length);   // the kernel hands over a 20 KB segment ...
                    int n = vdev.read(bufs, sizes, 10, 1000);      // ... cut into 15 packets ...
                    vdev.write(bufs, offsets, sizes, n);           // ... written back merged ...
                    if (Libc.read(st, sv[1], back, 0, back.length) != gso.length) { // ... as one segment
                        fail("not merged back into one write");
                    }
                }
                best = Math.min(best, threads.getCurrentThreadAllocatedBytes() - before);
            }
            assertEquals(0, best, "bytes allocated by 2000 split+merge rounds once compiled");
        } finally {
            vdev.close();
            Libc.close(sv[1]);
        }
    }

    /** Once the device has closed its fd, the other end of the pair sees end-of-file. */
    private void assertFdClosed() throws InterruptedException {
        byte[] in = new byte[16];
        for (int i = 0; i < 100; i++) {
            int n = Libc.read(st, peer, in, 0, in.length);
            if (n == 0) {
                return;
            }
            Thread.sleep(10);
        }
        fail("the device fd is still open");
    }
}
