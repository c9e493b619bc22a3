package org.janytun.session;

/**
 * The outcome of {@link SatpSession#seal} or {@link SatpSession#open} for one packet: delivered (sealed or opened)
 * or dropped with a {@link DropReason}, and where the result lies in the buffer. Mutable and reused by each loop so
 * that the packet path does not allocate.
 */
public final class PacketResult {
    /** Null when the inner packet is to be delivered. */
    DropReason drop;
    /** Newer than any packet accepted before from its sender (set once the window accepted it). */
    boolean newest;
    int seq;
    int senderId;
    int mux;
    int payloadType;
    int innerOffset;
    int innerLength;
    int datagramLength;

    /** Whether the packet was sealed or opened; {@link #drop()} says why not otherwise. */
    public boolean delivered() {
        return drop == null;
    }

    /** True when tag and window passed, whether or not the packet is delivered (SPEC §11: endpoint learning). */
    public boolean authentic() {
        return drop == null || drop.authentic();
    }

    /**
     * True when the packet may move the remote endpoint: authentic, and newer than any packet seen before from its
     * sender. A replayed packet, accepted with the window off (-w 0), does not (it would let a replayer hijack the
     * tunnel).
     */
    public boolean movesEndpoint() {
        return newest && authentic();
    }

    /** Whether the datagram passed the tag (it is genuine), even if the window or the payload then refused it. */
    public boolean tagPassed() {
        return drop == null || drop == DropReason.REPLAYED || drop.authentic();
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

    /** The datagram's length: what {@link SatpSession#seal} made, or what {@link SatpSession#open} was given. */
    public int datagramLength() {
        return datagramLength;
    }
}
