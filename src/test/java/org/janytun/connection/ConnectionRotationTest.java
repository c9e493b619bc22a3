package org.janytun.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Hex;
import org.janytun.crypto.Role;
import org.janytun.session.DropReason;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.Test;

/** Key rotation on a connection: previous key during the grace period, a waiting key that the peer promotes. */
class ConnectionRotationTest {
    private static final byte[] SALT = Hex.parse("0102030405060708090a0b0c0d0e");

    private static SatpSession session(Role role, int keyByte) {
        byte[] key = new byte[16];
        Arrays.fill(key, (byte) keyByte);
        return new SatpSession(CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1,
                10, key, SALT, null), role, 0, 0, DeviceType.TUN, 64);
    }

    private static byte[] sealed(SatpSession tx) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        buf[SatpLayout.INNER_OFFSET] = 0x45;
        PacketResult r = new PacketResult();
        assertTrue(tx.seal(buf, 28, r));
        return Arrays.copyOf(buf, SatpLayout.BUFFER_SIZE);
    }

    private static int length(SatpSession tx) {
        return SatpLayout.HEADER_LENGTH + SatpLayout.PAYLOAD_TYPE_LENGTH + 28 + tx.tagLength();
    }

    @Test
    void thePreviousKeyOpensWhatFailsUnderTheNewOneUntilRetiredAndIsCounted() {
        SatpSession old = session(Role.LEFT, 1);
        Connection c = new Connection(old, null);
        SatpSession peerOld = session(Role.RIGHT, 1);
        SatpSession peerNew = session(Role.RIGHT, 2);
        SatpSession fresh = session(Role.LEFT, 2);
        c.rotate(fresh, true, "janytun-ctl");
        assertSame(fresh, c.session(), "sends with the new key at once");
        PacketResult r = new PacketResult();
        assertTrue(c.open(sealed(peerOld), length(peerOld), r), "an old-key packet still opens");
        assertTrue(c.open(sealed(peerNew), length(peerNew), r), "a new-key packet opens");
        assertEquals(1, c.previousKeyPackets());
        assertTrue(c.retirePrevious(old));
        assertFalse(c.open(sealed(peerOld), length(peerOld), r), "after the grace period the old key is gone");
        assertEquals(DropReason.BAD_TAG, r.drop());
        assertEquals(1, c.previousKeyPackets());
        assertEquals("janytun-ctl", c.keySource());
    }

    @Test
    void aWaitingKeyTakesOverSendingWhenThePeerUsesIt() {
        SatpSession old = session(Role.LEFT, 1);
        Connection c = new Connection(old, null);
        SatpSession fresh = session(Role.LEFT, 2);
        c.rotate(fresh, false, "janytun-ctl");
        assertSame(old, c.session(), "still sends with the old key");
        assertSame(fresh, c.next());
        PacketResult r = new PacketResult();
        SatpSession peerOld = session(Role.RIGHT, 1);
        assertTrue(c.open(sealed(peerOld), length(peerOld), r));
        assertSame(old, c.session(), "an old-key packet changes nothing");
        SatpSession peerNew = session(Role.RIGHT, 2);
        assertTrue(c.open(sealed(peerNew), length(peerNew), r));
        assertSame(fresh, c.session(), "the peer sent under the new key: it takes over sending");
        assertNull(c.next());
        assertSame(old, c.previous());
        c.promote(fresh); // the timer, later: nothing to do
        assertSame(old, c.previous());
    }

    @Test
    void aRekeyedSessionSharesTheCounterAndTheLeaseSoNoNumberIsUsedTwice() {
        SatpSession old = session(Role.LEFT, 1);
        org.janytun.session.SendLease lease = new org.janytun.session.SendLease(() -> { });
        lease.grant(5, 5);
        old.useLease(lease);
        SatpSession fresh = old.rekeyed(session(Role.LEFT, 2).suite());
        assertSame(lease, fresh.lease());
        java.util.Set<Integer> used = new java.util.HashSet<>();
        PacketResult r = new PacketResult();
        for (int i = 0; i < 3; i++) {
            for (SatpSession s : java.util.List.of(old, fresh)) {
                byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
                buf[SatpLayout.INNER_OFFSET] = 0x45;
                if (s.seal(buf, 28, r)) {
                    assertTrue(used.add(r.seq()), "seq " + r.seq() + " twice");
                } else {
                    assertEquals(DropReason.SEQ_LEASE_PENDING, r.drop(), "only what the one lease covers");
                }
            }
        }
        assertEquals(java.util.Set.of(0, 1, 2, 3, 4), used);
    }
}
