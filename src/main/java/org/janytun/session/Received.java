package org.janytun.session;

/**
 * What {@link SatpSession#open} found in one datagram. Mutable and reused by the receive loop so that the
 * packet path does not allocate.
 */
public final class Received {
    /** Null when the inner packet is to be delivered. */
    DropReason drop;
    int seq;
    int senderId;
    int mux;
    int payloadType;
    int innerOffset;
    int innerLength;

    public boolean delivered() {
        return drop == null;
    }

    /** True when tag and window passed, whether or not the packet is delivered (SPEC §11: endpoint learning). */
    public boolean authentic() {
        return drop == null || drop.authentic();
    }

    public DropReason drop() {
        return drop;
    }

    public int seq() {
        return seq;
    }

    public int senderId() {
        return senderId;
    }

    public int mux() {
        return mux;
    }

    public int payloadType() {
        return payloadType;
    }

    public int innerOffset() {
        return innerOffset;
    }

    public int innerLength() {
        return innerLength;
    }
}
