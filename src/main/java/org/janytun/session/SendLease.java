package org.janytun.session;

/**
 * The outgoing sequence numbers a session may use: every number below {@link #limit()} has been reserved durably
 * (written and synced by whoever keeps the lease, see {@code org.janytun.lease}), so a restart, even after
 * {@code kill -9}, starts past it and never seals a second packet with the same (key, seq, sender id, mux), which in
 * AES-CTR would repeat the keystream (SPEC §8).
 *
 * <p>The packet path only compares against a volatile limit ({@link #permits}); when half of the current block is
 * used it wakes the keeper once, which reserves the next block in the background. If the keeper has not landed the
 * next block by the time the limit is reached, packets are dropped ({@link DropReason#SEQ_LEASE_PENDING}) rather
 * than sent with an unreserved number. The last number, {@code 0xFFFFFFFF}, is never used: reaching it means the
 * 32-bit counter would wrap ({@link DropReason#SEQ_EXHAUSTED}) and the key must be rotated.
 */
public final class SendLease {
    /** Exclusive bound of every limit: seq {@code 0xFFFFFFFF} is never sent, so the counter never wraps to 0. */
    public static final long END = 0xFFFF_FFFFL;

    private final Runnable wake;
    private volatile long limit;
    private volatile long refillAt;
    private volatile boolean wanted;

    /** @param wake asks the keeper to reserve more; called from the packet path, so it must neither block nor allocate */
    public SendLease(Runnable wake) {
        this.wake = wake;
    }

    /** Packet path: whether {@code seq} is reserved; past the half of the block, asks (once) for the next one. */
    public boolean permits(int seq) {
        long s = Integer.toUnsignedLong(seq);
        if (s >= refillAt && !wanted) {
            wanted = true;
            wake.run();
        }
        return s < limit;
    }

    /** Why {@code seq} is not permitted: the counter is at its end, or the next block is not on disk yet. */
    public DropReason refusal(int seq) {
        return limit == END && Integer.toUnsignedLong(seq) >= END ? DropReason.SEQ_EXHAUSTED
                : DropReason.SEQ_LEASE_PENDING;
    }

    /** The keeper: the numbers below {@code newLimit} are reserved durably; ask again from {@code nextRefill}. */
    public void grant(long newLimit, long nextRefill) {
        if (newLimit < 0 || newLimit > END) {
            throw new IllegalArgumentException("limit out of range: " + newLimit);
        }
        refillAt = nextRefill;
        limit = newLimit;
        wanted = false;
    }

    /** Takes back every number (before the counter is moved back for a wrap the operator allowed). */
    public void revoke() {
        limit = 0;
        refillAt = 0;
    }

    /** Exclusive bound of the reserved numbers (unsigned 32-bit). */
    public long limit() {
        return limit;
    }

    /** Whether the packet path asked for the next block and has not been granted it yet. */
    public boolean wanted() {
        return wanted;
    }

    /** Asks for the next block now (e.g. after the counter jumped forward), without waiting for a packet. */
    public void request() {
        wanted = true;
        wake.run();
    }
}
