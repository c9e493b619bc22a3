package org.janytun.keyx;

import org.janytun.wire.SatpLayout;

/**
 * The 8-byte header of an SATP-session control datagram (docs/SATP-SESSIONS.md §3): it keeps the SATP header's
 * shape so that the data port dispatches on the mux alone — the message type in the sequence-number slot, the
 * sender id, and the reserved mux {@value #MUX}.
 */
public final class ControlDatagram {
    private ControlDatagram() {}

    /** The reserved mux of control datagrams; never a connection's. */
    public static final int MUX = 0xFFFF;
    public static final int INITIATION = 1;
    public static final int RESPONSE = 2;
    public static final int COOKIE_REPLY = 3;
    public static final int REKEY_REQUEST = 4;
    public static final int EXTERNAL_KEX = 16;

    /** Whether a datagram of {@code length} bytes is a control datagram (mux 0xFFFF), by its header alone. */
    public static boolean isControl(byte[] buf, int length) {
        return length >= SatpLayout.HEADER_LENGTH && SatpLayout.mux(buf) == MUX;
    }

    /** The message type, from the sequence-number slot. */
    public static int type(byte[] buf) {
        return SatpLayout.seq(buf);
    }

    static void writeHeader(byte[] buf, int type, int senderId) {
        SatpLayout.writeHeader(buf, type, senderId, MUX);
    }
}
