package org.janytun.keyx;

import java.util.function.Consumer;

/**
 * The key pairs of one peer (docs/SATP-SESSIONS.md §6): <em>previous</em>, <em>current</em> and <em>next</em>,
 * with pairwise distinct key phases, so that a receiver picks the pair of a datagram by the two top bits of its
 * sequence number, without trial decryption, and no datagram in flight is lost across a re-key. {@code P} is
 * whatever the data path keeps per pair (a session with its suite, counters and replay windows). Pure: the clock
 * is passed in (nanoseconds, any origin); pairs that leave the ring go to the {@code retire} callback, which wipes
 * them. One thread at a time.
 */
public final class KeyRing<P> {
    /** Seconds; WireGuard's values (docs/SATP-SESSIONS.md §6.3). */
    public static final long REKEY_AFTER_TIME = 120;
    public static final long REJECT_AFTER_TIME = 180;
    /** The low 30 bits of seq count datagrams per pair and sender; the top 2 bits are the phase. */
    public static final int COUNTER_BITS = 30;
    public static final int REKEY_AFTER_MESSAGES = 1 << 28;
    public static final int REJECT_AFTER_MESSAGES = (1 << 30) - (1 << 13);
    private static final long NANOS = 1_000_000_000L;

    /** One pair with its phase, which side initiated its handshake, and when it was made. */
    public record Slot<P>(P pair, int phase, boolean initiator, long createdNanos) {}

    private final Consumer<P> retire;
    private final long rekeyAfterNanos;
    private final long rejectAfterNanos;
    private Slot<P> previous;
    private Slot<P> current;
    private Slot<P> next;

    public KeyRing(Consumer<P> retire) {
        this(retire, REKEY_AFTER_TIME, REJECT_AFTER_TIME);
    }

    /** A ring with other key lives (seconds; {@code rejectAfter} greater than {@code rekeyAfter}): for tests. */
    public KeyRing(Consumer<P> retire, long rekeyAfter, long rejectAfter) {
        if (rekeyAfter <= 0 || rejectAfter <= rekeyAfter) {
            throw new IllegalArgumentException("need 0 < rekey-after < reject-after");
        }
        this.retire = retire;
        this.rekeyAfterNanos = rekeyAfter * NANOS;
        this.rejectAfterNanos = rejectAfter * NANOS;
    }

    /** The phase of a datagram's sequence number. */
    public static int phase(int seq) {
        return seq >>> COUNTER_BITS;
    }

    /** The first sequence number of a pair with this phase. */
    public static int firstSeq(int phase) {
        return phase << COUNTER_BITS;
    }

    /** The counter part of a sequence number (datagrams sent before it under its pair, by its sender). */
    public static int counter(int seq) {
        return seq & ((1 << COUNTER_BITS) - 1);
    }

    /** A phase that neither the current nor the previous pair uses: the responder's choice for a new pair. */
    public int freePhase() {
        for (int p = 0; p < 4; p++) {
            if (!uses(current, p) && !uses(previous, p) && !uses(next, p)) {
                return p;
            }
        }
        throw new IllegalStateException("four phases in use by three pairs");
    }

    private static boolean uses(Slot<?> s, int phase) {
        return s != null && s.phase == phase;
    }

    /** The initiator installs the pair of a completed handshake and sends with it at once. */
    public void installAsInitiator(P pair, int phase, long now) {
        dropPhase(phase);
        retireSlot(previous);
        previous = current;
        current = new Slot<>(pair, phase, true, now);
    }

    /** The responder holds the new pair as next until the initiator's first datagram under it arrives. */
    public void installAsResponder(P pair, int phase, long now) {
        dropPhase(phase);
        retireSlot(next);
        next = new Slot<>(pair, phase, false, now);
    }

    /**
     * The pair a datagram with this sequence number was sealed with, if it is in the ring and not too old. On the
     * packet path: no allocation.
     */
    public P forReceive(int seq, long now) {
        int phase = phase(seq);
        Slot<P> s = uses(current, phase) ? current : uses(next, phase) ? next : uses(previous, phase) ? previous : null;
        return s != null && usable(s, now) && counter(seq) < REJECT_AFTER_MESSAGES ? s.pair : null;
    }

    /**
     * An authentic datagram arrived under {@code pair}: if it is the next pair, the initiator has it, so it
     * becomes current (and current becomes previous).
     */
    public void received(P pair) {
        if (next != null && next.pair == pair) {
            retireSlot(previous);
            previous = current;
            current = next;
            next = null;
        }
    }

    /** The pair to send with, or null: a handshake is needed first. */
    public P forSend(long now) {
        return current != null && usable(current, now) ? current.pair : null;
    }

    /** The current pair's slot (phase, role, age), or null. */
    public Slot<P> current() {
        return current;
    }

    /**
     * Whether this side should start a handshake now: it initiated the current pair and it is older than
     * REKEY_AFTER_TIME, or it sent {@code sentUnderCurrent} ≥ REKEY_AFTER_MESSAGES under it, or there is none.
     */
    public boolean wantsRekey(long now, long sentUnderCurrent) {
        if (current == null || !usable(current, now)) {
            return true;
        }
        boolean old = now - current.createdNanos >= rekeyAfterNanos;
        return (current.initiator && old) || sentUnderCurrent >= REKEY_AFTER_MESSAGES;
    }

    /** Retires every pair older than REJECT_AFTER_TIME. */
    public void expire(long now) {
        if (previous != null && !usable(previous, now)) {
            retireSlot(previous);
            previous = null;
        }
        if (next != null && !usable(next, now)) {
            retireSlot(next);
            next = null;
        }
        if (current != null && !usable(current, now)) {
            retireSlot(current);
            current = null;
        }
    }

    /** Retires every pair (a peer removed, or a restart of the ring). */
    public void clear() {
        retireSlot(current);
        retireSlot(next);
        retireSlot(previous);
        previous = current = next = null;
    }

    private boolean usable(Slot<?> s, long now) {
        return now - s.createdNanos < rejectAfterNanos;
    }

    /** The waiting pair's slot, or null. */
    public Slot<P> next() {
        return next;
    }

    /** The previous pair's slot, or null. */
    public Slot<P> previous() {
        return previous;
    }

    private void dropPhase(int phase) {
        if (phase < 0 || phase > 3) {
            throw new IllegalArgumentException("key phase " + phase);
        }
        if (uses(previous, phase)) {
            retireSlot(previous);
            previous = null;
        }
        if (uses(current, phase)) {
            retireSlot(current);
            current = null;
        }
        if (uses(next, phase)) {
            retireSlot(next);
            next = null;
        }
    }

    private void retireSlot(Slot<P> s) {
        if (s != null) {
            retire.accept(s.pair);
        }
    }
}
