package org.janytun.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Hex;
import org.janytun.crypto.Role;
import org.janytun.session.DropReason;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.session.SendLease;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sequence lease on a real file: restarts continue past it, blocks are refilled ahead, the end is the end. */
class LeaseKeeperTest {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeperTest.class);
    private static final byte[] KEY = Hex.parse("00112233445566778899aabbccddeeff");
    private static final byte[] SALT = Hex.parse("0102030405060708090a0b0c0d0e");

    @TempDir
    Path dir;

    private static SatpSession session(int mux) {
        CryptoSuite s = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10,
                KEY, SALT, null);
        return new SatpSession(s, Role.LEFT, 0, mux, DeviceType.TUN, 64);
    }

    private static LeaseKeeper keeper(Path dir, long block, boolean wrap) throws IOException {
        return new LeaseKeeper(LeaseFile.open(dir), block, wrap, "tun9", LOG);
    }

    /** Seals one small IPv4 packet; the sequence number used, or -1 with the reason in {@code r}. */
    private static long seal(SatpSession s, PacketResult r) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        return s.seal(buf, 28, r) ? Integer.toUnsignedLong(r.seq()) : -1;
    }

    private static void awaitLimitAbove(SendLease lease, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (lease.limit() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(lease.limit() >= atLeast, "the keeper reserved the next block: limit " + lease.limit());
    }

    @Test
    void restartsContinuePastEverythingReservedEvenWithoutAnOrderlyStop() throws Exception {
        Set<Long> used = new HashSet<>();
        PacketResult r = new PacketResult();
        for (int run = 0; run < 5; run++) {
            LeaseKeeper k = keeper(dir, 64, false);
            SatpSession s = session(7);
            k.attach(s);
            for (int i = 0; i < 100; i++) {
                long seq = seal(s, r);
                if (seq < 0) { // the packet path outran the keeper: dropped, never sent with an unreserved number
                    assertEquals(DropReason.SEQ_LEASE_PENDING, r.drop());
                    awaitLimitAbove(s.lease(), Integer.toUnsignedLong(s.nextSeq()) + 1);
                    continue;
                }
                assertTrue(used.add(seq), "sequence number " + seq + " used twice (run " + run + ")");
                assertTrue(seq < s.lease().limit(), "only reserved numbers are sent");
            }
            k.close(); // writes nothing: the next run sees what a killed process leaves (the IT kills with -9)
        }
        assertTrue(used.size() >= 400, "most packets went out: " + used.size());
    }

    @Test
    void closingTwiceIsQuiet() throws Exception {
        LeaseFile f = LeaseFile.open(dir);
        f.close();
        f.close(); // the daemon's stop runs once when asked and once more in the shutdown hook
        try (LeaseFile again = LeaseFile.open(dir)) {
            assertEquals(dir.resolve(LeaseFile.NAME), again.path(), "the lock was released");
        }
    }

    @Test
    void theNextBlockIsReservedInTheBackgroundBeforeTheCurrentOneRunsOut() throws Exception {
        try (LeaseKeeper k = keeper(dir, 1024, false)) {
            SatpSession s = session(0);
            k.attach(s);
            assertEquals(1024, s.lease().limit());
            PacketResult r = new PacketResult();
            for (int i = 0; i < 600; i++) { // past the half
                assertTrue(seal(s, r) >= 0);
            }
            awaitLimitAbove(s.lease(), 2048);
            try (FileChannel ch = FileChannel.open(dir.resolve(LeaseFile.NAME), StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocate(8);
                ch.read(b, 0);
                assertEquals(2048, b.getLong(0), "the limit the packet path uses is the one on disk");
            }
        }
    }

    @Test
    void theCounterStopsBeforeItWrapsUnlessTheOperatorAllowsIt() throws Exception {
        try (LeaseFile f = LeaseFile.open(dir)) {
            f.write(3, SendLease.END - 10);
        }
        PacketResult r = new PacketResult();
        try (LeaseKeeper k = keeper(dir, 64, false)) {
            SatpSession s = session(3);
            k.attach(s);
            for (int i = 0; i < 10; i++) {
                assertEquals(SendLease.END - 10 + i, seal(s, r));
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(-1, seal(s, r));
                assertEquals(DropReason.SEQ_EXHAUSTED, r.drop());
            }
            assertEquals((int) SendLease.END, s.nextSeq(), "the counter stays at the end, it does not wrap");
        }
        // a restart does not start again at 0 either
        try (LeaseKeeper k = keeper(dir, 64, false)) {
            SatpSession s = session(3);
            k.attach(s);
            assertEquals(-1, seal(s, r));
            assertEquals(DropReason.SEQ_EXHAUSTED, r.drop());
        }
        // allowed: it wraps to 0, in a new epoch that a restart remembers
        try (LeaseKeeper k = keeper(dir, 64, true)) {
            SatpSession s = session(3);
            k.attach(s);
            assertEquals(0, seal(s, r));
        }
        try (LeaseKeeper k = keeper(dir, 64, false)) {
            SatpSession s = session(3);
            k.attach(s);
            assertEquals(64, seal(s, r), "after the wrap, the next start continues in the new epoch");
        }
    }

    @Test
    void aDamagedRecordIsRefusedNotReadAsZero() throws Exception {
        try (LeaseFile f = LeaseFile.open(dir)) {
            f.write(1, 5000);
        }
        try (FileChannel ch = FileChannel.open(dir.resolve(LeaseFile.NAME), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {9}), LeaseFile.SLOT + 7);
        }
        try (LeaseFile f = LeaseFile.open(dir)) {
            IOException e = assertThrows(IOException.class, () -> f.read(1));
            assertTrue(e.getMessage().contains("damaged"), e.getMessage());
            assertEquals(0, f.read(2), "other slots are fine");
        }
    }

    @Test
    void oneStateDirectoryServesOneDaemonAndIsOwnerOnly() throws Exception {
        Path d = dir.resolve("sub");
        try (LeaseFile f = LeaseFile.open(d)) {
            IOException e = assertThrows(IOException.class, () -> LeaseFile.open(d));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
        }
    }

    @Test
    void aReplacedConnectionOfTheSameMuxContinuesWhereTheOldOneWasReserved() throws Exception {
        try (LeaseKeeper k = keeper(dir, 100, false)) {
            SatpSession a = session(4);
            k.attach(a);
            SatpSession b = session(4);
            k.attach(b);
            PacketResult r = new PacketResult();
            assertEquals(100, seal(b, r));
            assertFalse(seal(a, r) >= 100, "the old session keeps its own block");
        }
    }
}
