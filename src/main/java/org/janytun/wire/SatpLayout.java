package org.janytun.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Where things are in an SATP datagram (SPEC §3), the single source of these numbers.
 *
 * <pre>
 *  0      4          6     8              10                      10+n        10+n+tag
 *  | seq  | sender id | mux | payload type | inner packet (n bytes) | auth tag |
 *  |<----- header ------->|<------------- encrypted portion -------->|
 *  |<------------------------ authenticated portion ---------------->|
 * </pre>
 * All integers are big-endian.
 */
public final class SatpLayout {
    private SatpLayout() {}

    public static final int SEQ_OFFSET = 0;
    public static final int SENDER_ID_OFFSET = 4;
    public static final int MUX_OFFSET = 6;
    public static final int HEADER_LENGTH = 8;
    public static final int PAYLOAD_TYPE_OFFSET = HEADER_LENGTH;
    public static final int PAYLOAD_TYPE_LENGTH = 2;
    /** Where the inner packet starts; callers read device packets straight to this offset. */
    public static final int INNER_OFFSET = PAYLOAD_TYPE_OFFSET + PAYLOAD_TYPE_LENGTH;

    /** Largest datagram either reference can receive (their fixed 1600-byte buffers, SPEC §3.2). */
    public static final int MAX_DATAGRAM = 1600;
    /** Largest tag HMAC-SHA1 can give. */
    public static final int MAX_TAG_LENGTH = 20;
    /** Buffer size that holds any datagram we accept or build, with room to spare for a read that overflows. */
    public static final int BUFFER_SIZE = 2048;

    /** The largest inner packet that keeps the datagram within {@link #MAX_DATAGRAM} with this tag length. */
    public static int maxInnerLength(int tagLength) {
        return MAX_DATAGRAM - INNER_OFFSET - tagLength;
    }

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    public static int seq(byte[] b) {
        return (int) INT.get(b, SEQ_OFFSET);
    }

    public static int senderId(byte[] b) {
        return Short.toUnsignedInt((short) SHORT.get(b, SENDER_ID_OFFSET));
    }

    public static int mux(byte[] b) {
        return Short.toUnsignedInt((short) SHORT.get(b, MUX_OFFSET));
    }

    public static int payloadType(byte[] b) {
        return Short.toUnsignedInt((short) SHORT.get(b, PAYLOAD_TYPE_OFFSET));
    }

    public static void writeHeader(byte[] b, int seq, int senderId, int mux) {
        INT.set(b, SEQ_OFFSET, seq);
        SHORT.set(b, SENDER_ID_OFFSET, (short) senderId);
        SHORT.set(b, MUX_OFFSET, (short) mux);
    }

    public static void writePayloadType(byte[] b, int type) {
        SHORT.set(b, PAYLOAD_TYPE_OFFSET, (short) type);
    }

    /** Big-endian int at any offset: shared by the crypto code that builds counter blocks. */
    public static int getInt(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    public static void putInt(byte[] b, int off, int v) {
        INT.set(b, off, v);
    }

    public static void xorInt(byte[] b, int off, int v) {
        INT.set(b, off, (int) INT.get(b, off) ^ v);
    }
}
