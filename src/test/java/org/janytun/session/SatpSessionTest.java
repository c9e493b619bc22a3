package org.janytun.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Hex;
import org.janytun.crypto.Role;
import org.janytun.wire.DeviceType;
import org.janytun.wire.PayloadType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our own cases beyond the captured vectors: wrap, tag lengths, mux, sender ids and hostile input. */
class SatpSessionTest {
    private static final byte[] KEY = Hex.parse("00112233445566778899aabbccddeeff");
    private static final byte[] SALT = Hex.parse("0102030405060708090a0b0c0d0e");
    /** A 28-byte IPv4 packet (header + 8 bytes). */
    private static final byte[] IPV4 = Hex.parse("4500001c00004000401100000a0000010a000002000102030405060708");

    private static CryptoSuite suite(int tagLength) {
        return CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, tagLength,
                KEY, SALT, null);
    }

    private static SatpSession left(CryptoSuite s, int senderId, int mux) {
        return new SatpSession(s, Role.LEFT, senderId, mux, DeviceType.TUN, 64);
    }

    private static SatpSession right(CryptoSuite s, int mux, long window) {
        return new SatpSession(s, Role.RIGHT, 0, mux, DeviceType.TUN, window);
    }

    private static byte[] seal(SatpSession tx, byte[] inner) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        System.arraycopy(inner, 0, buf, SatpLayout.INNER_OFFSET, inner.length);
        PacketResult r = new PacketResult();
        assertTrue(tx.seal(buf, inner.length, r), () -> "seal failed: " + r.drop());
        return Arrays.copyOf(buf, r.datagramLength());
    }

    private static PacketResult open(SatpSession rx, byte[] datagram) {
        PacketResult r = new PacketResult();
        rx.open(Arrays.copyOf(datagram, SatpLayout.BUFFER_SIZE), datagram.length, r);
        return r;
    }

    @Test
    void sequenceWrapsAt2To32AndStaysAcceptable() {
        CryptoSuite s = suite(10);
        SatpSession tx = left(s, 0, 0);
        SatpSession rx = right(s, 0, 64);
        tx.setNextSeq(0xFFFFFFFE);
        byte[] a = seal(tx, IPV4);
        byte[] b = seal(tx, IPV4);
        byte[] c = seal(tx, IPV4);
        assertEquals(0xFFFFFFFE, SatpLayout.seq(a));
        assertEquals(0xFFFFFFFF, SatpLayout.seq(b));
        assertEquals(0, SatpLayout.seq(c));
        assertTrue(open(rx, a).delivered());
        assertTrue(open(rx, c).delivered());
        assertTrue(open(rx, b).delivered(), "older packet inside the window across the wrap");
        assertEquals(DropReason.REPLAYED, open(rx, c).drop());
        assertEquals(DropReason.REPLAYED, open(rx, b).drop());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 10, 20, 32})
    void tagLengths(int requested) {
        CryptoSuite s = suite(requested);
        int effective = Math.min(requested, 20);
        assertEquals(effective, s.tagLength());
        assertEquals(requested > 20, !s.warnings().isEmpty(), "a warning only when clamped");
        byte[] d = seal(left(s, 0, 0), IPV4);
        assertEquals(SatpLayout.INNER_OFFSET + IPV4.length + effective, d.length);
        PacketResult r = open(right(s, 0, 0), d);
        assertTrue(r.delivered(), () -> "dropped: " + r.drop());
        assertArrayEquals(IPV4, Arrays.copyOfRange(openedBuffer(right(s, 0, 0), d), SatpLayout.INNER_OFFSET,
                SatpLayout.INNER_OFFSET + IPV4.length));
        if (effective > 0) {
            d[SatpLayout.INNER_OFFSET + 3] ^= 1;
            assertEquals(DropReason.BAD_TAG, open(right(s, 0, 0), d).drop());
        } else {
            // without a tag every packet is authentic: a flipped bit gets through (as in the references)
            d[SatpLayout.INNER_OFFSET + 3] ^= 1;
            assertTrue(open(right(s, 0, 0), d).delivered());
        }
    }

    private static byte[] openedBuffer(SatpSession rx, byte[] d) {
        byte[] buf = Arrays.copyOf(d, SatpLayout.BUFFER_SIZE);
        assertTrue(rx.open(buf, d.length, new PacketResult()));
        return buf;
    }

    @Test
    void nullAuthHasNoTagWhatever_b_says() {
        CryptoSuite s = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.NULL, 10,
                KEY, SALT, null);
        assertEquals(0, s.tagLength());
        assertEquals(SatpLayout.INNER_OFFSET + IPV4.length, seal(left(s, 0, 0), IPV4).length);
    }

    @Test
    void wrongMuxIsDroppedBeforeCrypto() {
        CryptoSuite s = suite(10);
        byte[] d = seal(left(s, 0, 6), IPV4);
        assertEquals(6, SatpLayout.mux(d));
        PacketResult r = open(right(s, 5, 0), d);
        assertEquals(DropReason.WRONG_MUX, r.drop());
        assertFalse(r.authentic());
        assertTrue(open(right(s, 6, 0), d).delivered());
    }

    @Test
    void senderIdsHaveTheirOwnWindowsAndKeystreams() {
        CryptoSuite s = suite(10);
        SatpSession rx = right(s, 0, 64);
        byte[] fromOne = seal(left(s, 1, 0), IPV4);
        byte[] fromTwo = seal(left(s, 2, 0), IPV4);
        assertEquals(0, SatpLayout.seq(fromOne));
        assertEquals(0, SatpLayout.seq(fromTwo));
        assertEquals(2, SatpLayout.senderId(fromTwo));
        assertFalse(Arrays.equals(Arrays.copyOfRange(fromOne, 8, 20), Arrays.copyOfRange(fromTwo, 8, 20)),
                "the sender id is part of the counter block");
        assertTrue(open(rx, fromOne).delivered());
        assertTrue(open(rx, fromTwo).delivered(), "same seq from another sender id is fresh");
        assertEquals(DropReason.REPLAYED, open(rx, fromOne).drop());
        assertEquals(DropReason.REPLAYED, open(rx, fromTwo).drop());
    }

    @Test
    void hostileInputIsDroppedWithAReason() {
        CryptoSuite s = suite(10);
        SatpSession rx = right(s, 0, 64);
        assertEquals(DropReason.TOO_SHORT, open(rx, new byte[0]).drop());
        assertEquals(DropReason.TOO_SHORT, open(rx, new byte[17]).drop());
        assertEquals(DropReason.BAD_TAG, open(rx, new byte[18]).drop());
        assertEquals(DropReason.OVERSIZE, open(rx, new byte[1601]).drop());
        byte[] d = seal(left(s, 0, 0), IPV4);
        byte[] truncated = Arrays.copyOf(d, d.length - 1);
        assertEquals(DropReason.BAD_TAG, open(rx, truncated).drop());
        byte[] badTag = d.clone();
        badTag[badTag.length - 1] ^= (byte) 0x80;
        assertEquals(DropReason.BAD_TAG, open(rx, badTag).drop());
        assertTrue(open(rx, d).delivered());
        assertEquals(DropReason.REPLAYED, open(rx, d).drop());
    }

    @Test
    void emptyAndMistypedPayloadsAreAuthenticButNotDelivered() {
        CryptoSuite s = suite(10);
        SatpSession tx = left(s, 0, 0);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        int n = tx.sealAs(buf, 0, PayloadType.IPV4, 1);
        PacketResult r = open(right(s, 0, 0), Arrays.copyOf(buf, n));
        assertEquals(DropReason.EMPTY_PAYLOAD, r.drop());
        assertTrue(r.authentic());
        System.arraycopy(IPV4, 0, buf, SatpLayout.INNER_OFFSET, IPV4.length);
        n = tx.sealAs(buf, IPV4.length, PayloadType.ETHERNET, 2);
        r = open(right(s, 0, 0), Arrays.copyOf(buf, n));
        assertEquals(DropReason.WRONG_PAYLOAD_TYPE, r.drop());
        assertTrue(r.authentic());
    }

    @Test
    void sendSideRefusesWhatCannotGoOut() {
        CryptoSuite s = suite(10);
        SatpSession tx = left(s, 0, 0);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        assertEquals(1580, tx.maxInnerLength());
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        PacketResult out = new PacketResult();
        assertFalse(tx.seal(buf, 1581, out));
        assertEquals(DropReason.INNER_TOO_LONG, out.drop());
        assertEquals(0, tx.nextSeq(), "a refused packet uses no sequence number");
        assertTrue(tx.seal(buf, 1580, out));
        assertNull(out.drop());
        assertEquals(SatpLayout.MAX_DATAGRAM, out.datagramLength());
        assertEquals(0, out.seq());
        buf[SatpLayout.INNER_OFFSET] = 0x15;
        assertFalse(tx.seal(buf, 40, out));
        assertEquals(DropReason.NOT_IP, out.drop());
        assertFalse(tx.seal(buf, 0, out));
        assertEquals(DropReason.NOT_IP, out.drop());
        SatpSession tap = new SatpSession(s, Role.LEFT, 0, 0, DeviceType.TAP, 0);
        assertTrue(tap.seal(buf, 60, out), "tap sends any frame as Ethernet");
        int n = out.datagramLength();
        SatpSession tapRx = new SatpSession(s, Role.RIGHT, 0, 0, DeviceType.TAP, 0);
        PacketResult r = new PacketResult();
        assertTrue(tapRx.open(buf, n, r));
        assertEquals(PayloadType.ETHERNET, r.payloadType());
    }

    @Test
    void randomGarbageNeverThrows() {
        Random random = new Random(42);
        CryptoSuite[] suites = {suite(10), suite(0),
                CryptoSuite.of(CtrAlgorithm.NULL, CtrAlgorithm.NULL, AuthAlgorithm.NULL, 0, null, null, null)};
        for (CryptoSuite s : suites) {
            SatpSession rx = right(s, 0, 64);
            PacketResult r = new PacketResult();
            byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
            for (int i = 0; i < 20_000; i++) {
                int len = random.nextInt(SatpLayout.BUFFER_SIZE + 1);
                random.nextBytes(buf);
                buf[6] = 0;
                buf[7] = 0; // right mux, so that garbage reaches the tag check and beyond
                boolean delivered = rx.open(buf, len, r);
                assertEquals(delivered, r.drop() == null);
                if (s.tagLength() > 0) {
                    assertFalse(delivered, "random bytes passed a 10-byte tag");
                }
            }
        }
    }

    /**
     * The session works with any {@link org.janytun.crypto.Suite}: a test-only one (no secrecy at all: its "tag" is
     * a checksum of the datagram) seals, opens and refuses a changed datagram through the same session code.
     */
    @Test
    void anySuiteFitsTheSession() {
        org.janytun.crypto.Suite checksum = new ChecksumSuite();
        SatpSession tx = new SatpSession(checksum, Role.LEFT, 7, 3, DeviceType.TUN, 16);
        SatpSession rx = new SatpSession(checksum, Role.RIGHT, 8, 3, DeviceType.TUN, 16);
        byte[] datagram = seal(tx, IPV4);
        assertEquals(SatpLayout.INNER_OFFSET + IPV4.length + 4, datagram.length);
        PacketResult r = open(rx, datagram.clone());
        assertTrue(r.delivered(), String.valueOf(r.drop()));
        datagram[datagram.length - 1] ^= 1;
        assertEquals(DropReason.BAD_TAG, open(rx, datagram).drop());
    }

    /** A stand-in suite for {@link #anySuiteFitsTheSession}: a 4-byte sum over the datagram as its tag. */
    private record ChecksumSuite() implements org.janytun.crypto.Suite {
        @Override
        public int tagLength() {
            return 4;
        }

        @Override
        public org.janytun.crypto.Suite throwaway() {
            return this;
        }

        @Override
        public org.janytun.crypto.PacketProtection newProtection() {
            return new org.janytun.crypto.PacketProtection() {
                @Override
                public int tagLength() {
                    return 4;
                }

                @Override
                public boolean bind(org.janytun.crypto.Suite suite) {
                    return suite instanceof ChecksumSuite;
                }

                @Override
                public int seal(Role sender, byte[] buf, int end) {
                    SatpLayout.putInt(buf, end, sum(sender, buf, end));
                    return end + 4;
                }

                @Override
                public boolean authenticate(Role sender, byte[] buf, int length) {
                    return SatpLayout.getInt(buf, length - 4) == sum(sender, buf, length - 4);
                }

                @Override
                public void decrypt(Role sender, byte[] buf, int end) {
                }
            };
        }

        private static int sum(Role sender, byte[] buf, int end) {
            int h = sender.ordinal();
            for (int i = 0; i < end; i++) {
                h = h * 31 + buf[i];
            }
            return h;
        }
    }

    /**
     * seal and open with their reused {@link PacketResult}s, and the connection counters, allocate nothing per packet
     * (with a null cipher: the JCE's AES-CTR init allocates its key schedule per packet, see PacketCrypto).
     */
    @Test
    void sealOpenAndCountingAllocateNothing() {
        CryptoSuite s = CryptoSuite.of(CtrAlgorithm.NULL, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10,
                null, null, "alloc".getBytes());
        SatpSession tx = new SatpSession(s, Role.LEFT, 1, 0, DeviceType.TUN, 0);
        SatpSession rx = new SatpSession(s, Role.RIGHT, 2, 0, DeviceType.TUN, 64);
        org.janytun.connection.TrafficCounters counters = new org.janytun.connection.TrafficCounters();
        PacketResult sealed = new PacketResult();
        PacketResult opened = new PacketResult();
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocated = 0;
        for (int round = 0; round < 3; round++) { // the first rounds warm up (class loading, JIT)
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++) {
                buf[SatpLayout.INNER_OFFSET] = 0x45;
                assertTrue(tx.seal(buf, 100, sealed));
                counters.sent(1, sealed.datagramLength());
                assertTrue(rx.open(buf, sealed.datagramLength(), opened));
                counters.received(1, opened.innerLength(), i);
            }
            allocated = mx.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(120_000, counters.packetsIn() + counters.packetsOut());
        // one object per packet would be 16 bytes or more each, 320 KB; what remains is the JIT's, not the packets'
        assertTrue(allocated < 16_384, allocated + " bytes allocated for 20,000 packets");
    }
}
