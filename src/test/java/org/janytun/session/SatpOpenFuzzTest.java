package org.janytun.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Hex;
import org.janytun.crypto.Role;
import org.janytun.fuzz.Seeds;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;

/**
 * Coverage-guided fuzzing of {@link SatpSession#open} with the keys of the captured vectors (../shared/satp/vectors,
 * uanytun_default and the anytun captures with the same key): the seed corpus holds genuine datagrams the left ends
 * sent, so mutations start past the tag. Invariants, for window 64 and window 0: open never throws; only a datagram
 * byte for byte equal to a genuine one opens (a forgery never does); and an opened datagram, sealed again with its
 * sequence number and payload type, gives the same bytes. Regression mode (bin/test) runs the corpus; bin/fuzz searches.
 *
 * <p>{@link #openSealed} goes past the tag on purpose: the fuzzer picks sequence numbers, sender ids, payload types,
 * contents and tampering of packets that are sealed with the real keys, and a receiver with window 64 and one with
 * window 0 open them in order. Invariants: a tampered packet never opens; an untampered one is delivered exactly
 * when its payload fits a tun device, is not empty and the window takes it; with a window no (sender, sequence)
 * pair is delivered twice; the content delivered is the content sealed; and a packet moves the endpoint only when
 * it is newer (serial-number order) than every packet accepted before from its sender.
 */
class SatpOpenFuzzTest {
    private static final CryptoSuite SUITE = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128,
            AuthAlgorithm.SHA1, 10, Hex.parse("00112233445566778899aabbccddeeff"),
            Hex.parse("0102030405060708090a0b0c0d0e"), null);
    /** The genuine datagrams: the seed corpus itself. */
    private static final Set<String> GENUINE = Seeds.hexOf(SatpOpenFuzzTest.class, "open");

    @FuzzTest(maxDuration = "30s")
    void open(byte[] datagram) {
        assertTrue(GENUINE.size() >= 6, "the seed corpus of genuine datagrams is there");
        for (long window : new long[] {64, 0}) {
            SatpSession receiver = new SatpSession(SUITE, Role.RIGHT, 0, 0, DeviceType.TUN, window);
            byte[] buf = Arrays.copyOf(datagram, Math.max(SatpLayout.BUFFER_SIZE, datagram.length));
            PacketResult r = new PacketResult();
            boolean delivered = receiver.open(buf, datagram.length, r);
            if (!r.authentic()) {
                assertTrue(!delivered && !r.movesEndpoint(), "an unauthentic datagram is neither delivered nor learned");
                continue;
            }
            assertTrue(GENUINE.contains(HexFormat.of().formatHex(datagram)),
                    "a forgery passed the tag: " + HexFormat.of().formatHex(datagram));
            if (delivered) {
                SatpSession sender = new SatpSession(SUITE, Role.LEFT, r.senderId(), r.mux(), DeviceType.TUN, 0);
                byte[] again = new byte[SatpLayout.BUFFER_SIZE];
                System.arraycopy(buf, r.innerOffset(), again, SatpLayout.INNER_OFFSET, r.innerLength());
                int n = sender.sealAs(again, r.innerLength(), r.payloadType(), r.seq());
                assertArrayEquals(datagram, Arrays.copyOf(again, n), "sealed again, the same datagram");
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void openSealed(FuzzedDataProvider data) {
        SatpSession windowed = new SatpSession(SUITE, Role.RIGHT, 0, 0, DeviceType.TUN, 64);
        SatpSession open = new SatpSession(SUITE, Role.RIGHT, 0, 0, DeviceType.TUN, 0);
        Set<Long> deliveredWithWindow = new HashSet<>();
        java.util.List<String> history = new java.util.ArrayList<>();
        Map<Integer, Integer> highest = new HashMap<>(); // the window-0 receiver's newest per sender, as modelled here
        Map<Integer, Long> windowTop = new HashMap<>(); // the window-64 receiver's newest per sender (unsigned)
        int packets = data.consumeInt(1, 24);
        for (int i = 0; i < packets && data.remainingBytes() > 0; i++) {
            int seq = data.consumeBoolean() ? data.consumeInt(0, 200) : data.consumeInt();
            int senderId = data.consumeInt(0, 3);
            int payloadType = data.pickValue(new int[] {0x0800, 0x86DD, 0x6558, data.consumeInt(0, 0xFFFF)});
            byte[] inner = data.consumeBytes(data.consumeInt(0, 300));
            int tamper = data.consumeInt(-1, 400);
            SatpSession sender = new SatpSession(SUITE, Role.LEFT, senderId, 0, DeviceType.TUN, 0);
            byte[] sealed = new byte[SatpLayout.BUFFER_SIZE];
            System.arraycopy(inner, 0, sealed, SatpLayout.INNER_OFFSET, inner.length);
            int n = sender.sealAs(sealed, inner.length, payloadType, seq);
            boolean tampered = tamper >= 0 && tamper < n;
            if (tampered) {
                sealed[tamper] ^= (byte) (1 + data.consumeInt(0, 254));
            }
            history.add(senderId + ":" + Integer.toUnsignedString(seq) + (tampered ? "(tampered)" : ""));
            boolean fits = (payloadType == 0x0800 || payloadType == 0x86DD) && inner.length > 0;
            for (SatpSession rx : new SatpSession[] {windowed, open}) {
                byte[] buf = Arrays.copyOf(sealed, SatpLayout.BUFFER_SIZE);
                PacketResult r = new PacketResult();
                boolean delivered = rx.open(buf, n, r);
                if (tampered) {
                    assertTrue(!delivered && !r.authentic(), "a tampered packet never opens");
                    continue;
                }
                assertTrue(r.authentic() || r.drop() == DropReason.REPLAYED, "untampered: " + r.drop());
                if (rx == open) {
                    assertTrue(r.authentic(), "window 0 accepts every authentic packet");
                    Integer top = highest.get(senderId);
                    boolean newest = top == null || seq - top > 0;
                    if (newest) {
                        highest.put(senderId, seq);
                    }
                    assertEquals(newest, r.movesEndpoint(), "moves the endpoint only when newest");
                } else if (r.authentic() && wrapped(windowTop, senderId, seq, r.movesEndpoint())) {
                    // the window went round 2^32 (as in anytun and uanytun): numbers seen before are new again
                    deliveredWithWindow.removeIf(k -> (int) (k >>> 32) == senderId);
                    deliveredWithWindow.add((long) senderId << 32 | (seq & 0xFFFFFFFFL));
                } else if (r.authentic() && (seq & 0xFFFFFFFFL) >= (1L << 32) - 64) {
                    // the last 64 numbers before 2^32: while the window's top is below 64 the references' rule
                    // reads them as just before 0, later as far ahead, so one such packet can pass twice
                    assertTrue(r.authentic());
                } else if (r.authentic() && !deliveredWithWindow.add((long) senderId << 32 | (seq & 0xFFFFFFFFL))) {
                    throw new AssertionError("window 64 accepted sender " + senderId + " seq " + seq + " twice: " + history);
                }
                assertEquals(fits && r.authentic(), delivered, "delivered exactly when authentic and fitting");
                if (delivered) {
                    assertArrayEquals(inner, Arrays.copyOfRange(buf, r.innerOffset(), r.innerOffset() + r.innerLength()));
                }
            }
        }
    }

    /**
     * Whether an accepted packet that moved the window forward did so across 2^32 (a smaller unsigned number than
     * the window's top, taken as newer by the references' wrap rule). Records the new top.
     */
    private static boolean wrapped(Map<Integer, Long> top, int senderId, int seq, boolean newest) {
        if (!newest) {
            return false;
        }
        long s = seq & 0xFFFFFFFFL;
        Long before = top.put(senderId, s);
        return before != null && s < before;
    }
}
