package org.janytun.connection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import org.janytun.session.DropReason;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.wire.SatpLayout;

/**
 * One peer: its SATP session (keys, counters, windows) and the {@link Path}s its datagrams take (one today, on
 * link 0). A path's endpoint starts as configured (or unknown) and follows the source of authentic packets that
 * arrive on its link (SPEC §11). Its {@link #counters()} count what the data path did for this peer.
 *
 * <p>Keys can be rotated while the tunnel runs ({@link #rotate}): a new session with the new key takes over the
 * counter; until the peer has switched, datagrams that fail the new key's tag are tried under the previous key
 * for a bounded grace period ({@link #retirePrevious}), and counted ({@link #previousKeyPackets()}). The new key
 * may also wait before it is used for sending ({@code sendNow} false) until the peer is heard using it, so two
 * janytun ends can be rotated one after the other without losing a packet.
 */
public final class Connection {
    private static final VarHandle PREVIOUS_KEY_PACKETS;

    static {
        try {
            PREVIOUS_KEY_PACKETS = MethodHandles.lookup().findVarHandle(Connection.class, "previousKeyPackets",
                    long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int mux;
    /** Seals, and opens first (unless a newer key is waiting). */
    private volatile SatpSession session;
    /** A new key that receives but does not send yet: it takes over when the peer uses it, or when told. */
    private volatile SatpSession next;
    /** The key before the last rotation: opens what still fails under the current one, until retired. */
    private volatile SatpSession previous;
    /** When (System.nanoTime) the previous key stops being accepted; 0: when told ({@link #retirePrevious}). */
    private volatile long previousUntilNanos;
    /** Written by the receiving loop only. */
    private long previousKeyPackets;
    private volatile long keyInstalledNanos = System.nanoTime();
    private volatile String keySource = "command line";
    private final Path[] paths;
    /** Whether each datagram takes one path in turn (RAIL spread) rather than every path (RAIL, the default). */
    private final boolean spread;
    /** The send stage's own: where the turn of a spreading connection is. */
    private int turn;
    private final TrafficCounters counters = new TrafficCounters();
    /** The send stage's own: the datagrams sent at the last keepalive check, and since when that count stands. */
    private long keepaliveOutMark;
    private volatile Runnable keyRequestListener;
    private long keepaliveMarkNanos;
    /** The passive keepalive's marks: the counters last seen, and since when data waits for anything sent (0: none). */
    private long passiveInMark;
    private long passiveOutMark;
    private long passiveSinceNanos;
    /** False while an SATP-session connection has no key pair to send with (the send stage drops and asks). */
    private volatile boolean sealing = true;
    /** Set by the send stage when it had a packet but no key; taken by the handshake thread. */
    private volatile boolean keysWanted;

    public Connection(SatpSession session, InetSocketAddress initialRemote) {
        this(session, false, new Path(0, initialRemote));
    }

    /** A connection that sends each datagram on each of {@code paths} (at least one). */
    public static Connection of(SatpSession session, Path... paths) {
        return new Connection(session, false, paths);
    }

    private Connection(SatpSession session, boolean spread, Path... paths) {
        if (paths.length == 0) {
            throw new IllegalArgumentException("a connection needs a path");
        }
        this.mux = session.mux();
        this.session = session;
        this.paths = paths.clone();
        this.spread = spread;
    }

    /**
     * A connection that sends each datagram on one of {@code paths}, in turn (RAIL's "more bandwidth" mode): no
     * redundancy, and the peer's window must be larger than the reordering the paths cause.
     */
    public static Connection spreading(SatpSession session, Path... paths) {
        return new Connection(session, true, paths);
    }

    public boolean spreads() {
        return spread;
    }

    /**
     * For the send stage of a spreading connection: the next path in turn that has an endpoint, or null when none
     * has one.
     */
    public Path nextPath() {
        for (int k = 0; k < paths.length; k++) {
            Path p = paths[turn];
            turn = turn + 1 == paths.length ? 0 : turn + 1;
            if (p.remote() != null) {
                return p;
            }
        }
        return null;
    }

    public int mux() {
        return mux;
    }

    /** The session that seals outgoing packets now. */
    public SatpSession session() {
        return session;
    }

    /**
     * Opens a datagram of this connection's mux: under a waiting new key first (which then takes over sending),
     * then the current key, then, during a rotation's grace period, the previous key. Only a failed tag moves on
     * to the next key (the tag is checked before anything is decrypted, so the datagram is still intact). By the
     * receiving loop; allocation-free.
     */
    public boolean open(byte[] buf, int length, PacketResult out) {
        // SATP sessions: the key phase in seq skips the pairs that cannot hold the datagram (legacy: none skipped)
        int seq = SatpLayout.seq(buf);
        SatpSession n = next;
        if (n != null && n.mayHold(seq)) {
            boolean opened = n.open(buf, length, out);
            if (out.tagPassed()) {
                promote(n); // also an SATP-session keepalive (empty payload) confirms the new key
                return opened;
            }
            if (out.drop() != DropReason.BAD_TAG) {
                return false;
            }
        }
        SatpSession s = session;
        SatpSession p = previous;
        boolean previousMay = p != null && p.mayHold(seq);
        if ((s.mayHold(seq) || !previousMay) && (s.open(buf, length, out) || out.drop() != DropReason.BAD_TAG)) {
            return out.delivered();
        }
        if (!previousMay) {
            return false;
        }
        long until = previousUntilNanos;
        if (until != 0 && System.nanoTime() - until > 0) {
            retirePrevious(p); // its grace period is over
            return false;
        }
        if (!p.open(buf, length, out)) {
            return false;
        }
        PREVIOUS_KEY_PACKETS.setOpaque(this, previousKeyPackets + 1);
        return true;
    }

    /**
     * Installs {@code newSession} (same mux, a new key). With {@code sendNow} it seals from now on and the current
     * key becomes the previous one; otherwise it only opens until the peer is heard using it or {@link #promote}
     * is called. A previous key still in its grace period is dropped.
     *
     * @param source says where the key came from (for {@code janytun-ctl show})
     */
    public synchronized void rotate(SatpSession newSession, boolean sendNow, String source) {
        if (newSession.mux() != mux) {
            throw new IllegalArgumentException("mux " + newSession.mux() + " for connection " + mux);
        }
        keySource = source;
        keyInstalledNanos = System.nanoTime();
        previousUntilNanos = 0;
        if (sendNow) {
            next = null;
            previous = session;
            session = newSession;
        } else {
            next = newSession;
        }
    }

    /** The waiting new key {@code expected} (if it still waits) seals from now on; the current becomes previous. */
    public synchronized void promote(SatpSession expected) {
        if (next != expected || expected == null) {
            return;
        }
        previous = session;
        session = expected;
        next = null;
        sealing = true;
    }

    /** Whether the current key may seal: false while an SATP-session connection waits for its first key pair. */
    public boolean canSeal() {
        return sealing;
    }

    /** Stops sealing until {@link #resumeSealing} or a promoted key (SATP sessions: no usable key pair). */
    public void holdSealing() {
        sealing = false;
    }

    public void resumeSealing() {
        sealing = true;
    }

    /** The send stage had a packet but no key: asks for a handshake (packet path: no allocation). */
    public void requestKeys() {
        if (!keysWanted) {
            keysWanted = true;
            Runnable wake = keyRequestListener;
            if (wake != null) {
                wake.run();
            }
        }
    }

    /**
     * Who is woken (on the thread that asks, once per request; it must not block or allocate) when keys are asked
     * for: an SATP-session endpoint's handshake thread. Set before the connection is published.
     */
    public void onKeyRequest(Runnable wake) {
        keyRequestListener = wake;
    }

    /** Whether keys were asked for since the last call (the handshake thread). */
    public boolean takeKeyRequest() {
        if (!keysWanted) {
            return false;
        }
        keysWanted = false;
        return true;
    }

    /**
     * {@link #rotate} with {@code sendNow}, and the previous key accepted for {@code grace} more: for rotations no
     * one times (a control host's or cluster peer's new record).
     */
    public synchronized void rotate(SatpSession newSession, String source, java.time.Duration grace) {
        rotate(newSession, true, source);
        previousUntilNanos = System.nanoTime() + Math.max(1, grace.toNanos());
    }

    /** Ends the grace period of {@code expected} if it is still the previous key; true if it was. */
    public synchronized boolean retirePrevious(SatpSession expected) {
        if (previous != expected || expected == null) {
            return false;
        }
        previous = null;
        return true;
    }

    /** The key before the last rotation while it is still accepted, or null. */
    public SatpSession previous() {
        return previous;
    }

    /** A new key waiting to be used for sending, or null. */
    public SatpSession next() {
        return next;
    }

    /** Datagrams opened under the previous key during grace periods. */
    public long previousKeyPackets() {
        return (long) PREVIOUS_KEY_PACKETS.getOpaque(this);
    }

    /** {@link System#nanoTime} when the current key was installed. */
    public long keyInstalledNanos() {
        return keyInstalledNanos;
    }

    /** Where the current key came from: the command line, a control host, a cluster peer, janytun-ctl. */
    public String keySource() {
        return keySource;
    }

    /** Sets where the key came from (the registry, for connections from a control host or a cluster peer). */
    public void keySource(String source) {
        keySource = source;
    }

    /**
     * For the send stage ({@code --keepalive}): whether nothing has been sent to this peer for {@code intervalNanos}
     * at {@code now}. A connection never checked before and never sent to is due at once.
     */
    public boolean keepaliveDue(long now, long intervalNanos) {
        long out = counters.packetsOut();
        if (keepaliveMarkNanos == 0 || out != keepaliveOutMark) {
            boolean fresh = keepaliveMarkNanos == 0 && out == 0;
            keepaliveOutMark = out;
            keepaliveMarkNanos = now;
            return fresh;
        }
        return now - keepaliveMarkNanos >= intervalNanos;
    }

    /**
     * For the send stage, SATP sessions' passive keepalive (docs/SATP-SESSIONS.md §6.3, KEEPALIVE_TIMEOUT): whether
     * data has come in and nothing has gone out since, for {@code timeoutNanos} at {@code now}. Called about once a
     * second; data is noticed at the call after it came, which is precise enough for a 10 s timer.
     */
    public boolean passiveKeepaliveDue(long now, long timeoutNanos) {
        long in = counters.packetsIn();
        long out = counters.packetsOut();
        if (out != passiveOutMark) {
            passiveOutMark = out;
            passiveInMark = in;
            passiveSinceNanos = 0;
            return false;
        }
        if (in != passiveInMark) {
            passiveInMark = in;
            if (passiveSinceNanos == 0) {
                passiveSinceNanos = now;
            }
        }
        return passiveSinceNanos != 0 && now - passiveSinceNanos >= timeoutNanos;
    }

    /** For the send stage: a keepalive went out at {@code now}; the next is due an interval later. */
    public void keepaliveSent(long now) {
        keepaliveOutMark = counters.packetsOut();
        keepaliveMarkNanos = now;
        counters.keepaliveSent();
    }

    /** Packets, bytes and drops of this peer, and when it was last heard from. */
    public TrafficCounters counters() {
        return counters;
    }

    /** The paths to send each datagram on; the array is the connection's own: read it, never change it. */
    public Path[] paths() {
        return paths;
    }

    /** The path on {@code link}, or null when the connection has none there. */
    public Path pathOn(int link) {
        for (Path p : paths) {
            if (p.link() == link) {
                return p;
            }
        }
        return null;
    }

    /** The first path's endpoint (the one the references know: {@code -r}), or null while unknown. */
    public InetSocketAddress remote() {
        return paths[0].remote();
    }

    /**
     * Moves the endpoint of the path on {@code link} to {@code source}: the path that moved, or null when none did.
     * Only for packets that passed the tag and the window and are the newest of their sender (or, with several
     * paths, the newest on that link).
     */
    public Path learn(int link, InetSocketAddress source) {
        Path first = null;
        for (Path p : paths) {
            if (p.link() == link) {
                if (source.equals(p.remote())) {
                    return null; // already one of this link's endpoints
                }
                first = first == null ? p : first;
            }
        }
        return first != null && first.learn(source) ? first : null;
    }


    /** Sets the endpoint a control daemon or cluster peer gave explicitly. */
    public void setRemote(InetSocketAddress r) {
        paths[0].setRemote(r);
    }

    /** Sets the endpoint of the path on {@code link} when none is known yet (a late name resolution of {@code -r}). */
    public void setRemoteIfUnknown(int link, InetSocketAddress r) {
        Path p = pathOn(link);
        if (p != null) {
            p.setRemoteIfUnknown(r);
        }
    }
}
