package org.janytun.handshake;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the handshake thread did, for {@code janytun-ctl show} and the metrics: counters by event, failures by
 * reason, and the state of the peer's keys (never a key); one per peer, and the endpoint's totals (every peer's,
 * plus what no peer could be named for). Written by the handshake thread, read by any.
 */
public final class HandshakeStats {
    /** Counted events. */
    public enum Event {
        INITIATION_SENT("initiations sent"),
        RESPONSE_SENT("responses sent"),
        COOKIE_REPLY_SENT("cookie replies sent under load"),
        COMPLETED_AS_INITIATOR("handshakes completed as initiator"),
        COMPLETED_AS_RESPONDER("handshakes completed as responder"),
        REKEY("re-keys (handshakes with a key pair in use)");

        private final String description;

        Event(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** Why a handshake datagram was dropped. */
    public enum Failure {
        BAD_MAC1("wrong length, type or mac1"),
        NO_COOKIE("no valid mac2 under load"),
        RATE_LIMITED("too many initiations from one source"),
        QUEUE_FULL("handshake queue full"),
        INVALID("does not decrypt or authenticate"),
        UNKNOWN_PEER("from a public key that is not a configured peer"),
        OLD_TIMESTAMP("timestamp not later than the last one (replay)"),
        WRONG_MUX("the peer's mux differs from ours"),
        UNEXPECTED("response or cookie reply to no handshake of ours"),
        SIMULTANEOUS("initiation dropped: ours goes first (smaller public key)"),
        TIMEOUT("no response in time");

        private final String description;

        Failure(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final AtomicLongArray events = new AtomicLongArray(Event.values().length);
    private final AtomicLongArray failures = new AtomicLongArray(Failure.values().length);
    private final String suite;
    private final boolean postQuantum;
    private volatile long lastHandshakeMillis;
    private volatile long keyCreatedMillis;
    /** The endpoint's totals, which a peer's counts add to too; null for the totals themselves. */
    private final HandshakeStats total;

    HandshakeStats(String suite, boolean postQuantum, HandshakeStats total) {
        this.suite = suite;
        this.postQuantum = postQuantum;
        this.total = total;
    }

    void count(Event e) {
        events.incrementAndGet(e.ordinal());
        if (total != null) {
            total.count(e);
        }
    }

    void count(Failure f) {
        failures.incrementAndGet(f.ordinal());
        if (total != null) {
            total.count(f);
        }
    }

    public long events(Event e) {
        return events.get(e.ordinal());
    }

    public long failures(Failure f) {
        return failures.get(f.ordinal());
    }

    void completed(long nowMillis) {
        lastHandshakeMillis = nowMillis;
        if (total != null) {
            total.completed(nowMillis);
        }
    }

    void keyInUse(long createdMillis) {
        keyCreatedMillis = createdMillis;
        if (total != null) {
            total.keyInUse(createdMillis);
        }
    }

    /** Unix milliseconds of the latest completed handshake, 0 for none. */
    public long lastHandshakeMillis() {
        return lastHandshakeMillis;
    }

    /** Unix milliseconds when the key pair now sealing was made, 0 for none. */
    public long keyCreatedMillis() {
        return keyCreatedMillis;
    }

    public String suite() {
        return suite;
    }

    public boolean postQuantum() {
        return postQuantum;
    }
}
