package org.janytun.keyx;

import java.util.Arrays;
import org.janytun.noise.NoiseException;
import org.janytun.wire.SatpLayout;

/**
 * The rekey-request (type 4, docs/SATP-SESSIONS.md §7): a node that may only receive under a key pair (it started
 * after the pair was made, so it cannot know which sequence numbers it used) asks the initiator for a new
 * handshake. {@code header ‖ receiver index (4) ‖ TAI64N (12) ‖ MAC16(rekey key, all before)}: 40 bytes. The
 * initiator acts on it only if the index is one of its pairs, the MAC holds under that pair's rekey key and the
 * timestamp is later than the last request's.
 */
public final class RekeyRequest {
    public static final int LENGTH = SatpLayout.HEADER_LENGTH + 4 + Tai64n.LENGTH + Macs.LENGTH;

    private RekeyRequest() {}

    public static byte[] encode(int senderId, int receiverIndex, byte[] timestamp, byte[] rekeyKey) {
        byte[] d = new byte[LENGTH];
        ControlDatagram.writeHeader(d, ControlDatagram.REKEY_REQUEST, senderId);
        SatpLayout.putInt(d, 8, receiverIndex);
        System.arraycopy(timestamp, 0, d, 12, Tai64n.LENGTH);
        Macs.mac(rekeyKey, d, LENGTH - Macs.LENGTH, d, LENGTH - Macs.LENGTH);
        return d;
    }

    /** The receiver index (unsigned) of a well-formed request, to find the pair and its rekey key; −1 otherwise. */
    public static long receiverIndex(byte[] d, int length) {
        if (length != LENGTH || ControlDatagram.type(d) != ControlDatagram.REKEY_REQUEST
                || SatpLayout.mux(d) != ControlDatagram.MUX) {
            return -1;
        }
        return Integer.toUnsignedLong(SatpLayout.getInt(d, 8));
    }

    /** The request's timestamp if its MAC holds under {@code rekeyKey}, else {@link NoiseException}. */
    public static byte[] verify(byte[] d, int length, byte[] rekeyKey) throws NoiseException {
        if (receiverIndex(d, length) < 0) {
            throw new NoiseException("not a rekey-request");
        }
        byte[] copy = Arrays.copyOf(d, length);
        if (!Macs.check(rekeyKey, copy, LENGTH - Macs.LENGTH)) {
            throw new NoiseException("rekey-request does not authenticate");
        }
        return Arrays.copyOfRange(copy, 12, 12 + Tai64n.LENGTH);
    }
}
