package org.janytun.handshake;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.janytun.address.InetText;
import org.janytun.config.SessionPeerSettings;
import org.janytun.connection.Connection;
import org.janytun.crypto.AeadSuite;
import org.janytun.crypto.Role;
import org.janytun.keyx.Cookies;
import org.janytun.keyx.KeyRing;
import org.janytun.keyx.SessionHandshake;
import org.janytun.keyx.Tai64n;
import org.janytun.noise.NoiseException;
import org.janytun.noise.Secrets;
import org.janytun.session.SatpSession;
import org.janytun.session.SendLease;
import org.janytun.wire.SatpLayout;

/**
 * One peer of a {@link SessionEndpoint}: its handshakes and key pairs (docs/SATP-SESSIONS.md §4–§6). It answers the
 * peer's initiations once the endpoint has named the peer (the timestamp, then the public-key work), starts
 * handshakes when the data path asks for keys or a key pair is due for re-keying, and installs each new pair in the
 * peer's {@link Connection}: the initiator seals with it at once (after a keepalive under it that confirms it), the
 * responder holds it as <em>next</em> until the first authentic datagram under it promotes it. Pairs leave through
 * the {@link KeyRing} and are wiped once no packet thread can still hold them.
 *
 * <p>Runs on the endpoint's handshake thread only; {@link #stats} is read by anyone.
 */
final class SessionPeer {
    /** WireGuard's REKEY_TIMEOUT, REKEY_ATTEMPT_TIME and jitter (docs/SATP-SESSIONS.md §6.3). */
    static final long REKEY_TIMEOUT_NANOS = Duration.ofSeconds(5).toNanos();
    static final long REKEY_ATTEMPT_NANOS = Duration.ofSeconds(90).toNanos();
    static final int JITTER_MILLIS = 334;
    /** How long a retired pair stays intact before it is wiped: longer than any packet thread holds it. */
    private static final long WIPE_DELAY_NANOS = Duration.ofSeconds(2).toNanos();
    /** At least this replay window for session keys, whatever -w says (WireGuard's). */
    static final long MIN_WINDOW = 8192;

    private final SessionEndpoint endpoint;
    final byte[] peerStatic;
    final String keyText;
    private final byte[] psk;
    final Connection connection;
    /** The throwaway session the connection starts with: dropped once a real pair has replaced it. */
    private final SatpSession placeholder;
    private final KeyRing<SatpSession> ring;
    final HandshakeStats stats;
    private final ArrayDeque<Retired> retired = new ArrayDeque<>();
    /** The settings it was added with (routes as last applied); its pre-shared key is wiped, {@link #psk} kept. */
    SessionPeerSettings settings;
    /** Added by janytun-ctl: a reload of the peers file keeps it. */
    boolean operator;
    private volatile boolean countRekeyWanted;
    private long leftAt = -1;

    private byte[] greatestTimestamp;
    // the handshake this side started, while it waits for the response
    private SessionHandshake.Initiator attempt;
    private byte[] attemptInitiation;
    private InetSocketAddress attemptTo;
    private int attemptLink;
    private long attemptStarted;
    private long retryAt;
    private byte[] cookie;
    /** When this side last started a handshake towards the source of data it could not open. */
    private long lastStaleStart = Long.MIN_VALUE / 2;
    /** The local index of the handshake this side last started (the endpoint finds answers by it), or null. */
    private Integer lastIndex;

    private record Retired(SatpSession session, long at) {}

    SessionPeer(SessionEndpoint endpoint, SessionPeerSettings settings, Connection connection, boolean operator,
                HandshakeStats stats) {
        this.endpoint = endpoint;
        this.settings = settings;
        this.peerStatic = settings.publicKey();
        this.keyText = settings.publicKeyText();
        this.psk = settings.psk().map(s -> s.bytes()).orElse(null);
        this.connection = connection;
        this.placeholder = connection.session();
        this.operator = operator;
        this.stats = stats;
        this.ring = new KeyRing<>(this::retire, endpoint.settings.rekeyAfterSeconds(),
                endpoint.settings.rejectAfterSeconds());
    }

    int mux() {
        return connection.mux();
    }

    /** Same identity, mux and pre-shared key as {@code w}: a reload keeps this peer's session (routes may differ). */
    boolean sameSessionAs(SessionPeerSettings w) {
        if (w.mux() != mux() || !Arrays.equals(w.publicKey(), peerStatic) || w.psk().isPresent() != (psk != null)) {
            return false;
        }
        if (psk == null) {
            return true;
        }
        byte[] other = w.psk().get().bytes();
        try {
            return Secrets.equal(psk, other);
        } finally {
            Secrets.wipe(other);
        }
    }

    // ---- received datagrams

    /** An initiation from this peer: mac1, cookie, rate limit and the static key were checked by the endpoint. */
    void initiation(SessionHandshake.Incoming in, ControlQueue.Slot s, long now) {
        byte[] ts = in.timestamp();
        if (!Tai64n.acceptable(ts, greatestTimestamp, Instant.now())) {
            in.refuse();
            fail(HandshakeStats.Failure.OLD_TIMESTAMP, s.source, null);
            return;
        }
        if (attempt != null && SessionHandshake.keepsOwnInitiation(endpoint.local.publicKey(), peerStatic)) {
            in.refuse(); // both started at once: the smaller public key's handshake goes on (both sides agree)
            stats.count(HandshakeStats.Failure.SIMULTANEOUS);
            return;
        }
        attempt = null;
        greatestTimestamp = ts;
        int phase = ring.freePhase();
        SessionHandshake.Answer a = in.answer(psk, connection.mux(), phase, endpoint.random.nextInt(), null);
        SessionHandshake.Established e = a.established();
        e.keys().wipe();
        boolean rekey = ring.current() != null;
        SatpSession session = sessionOf(e);
        // installed before the response leaves: the initiator's keepalive may come back at once
        ring.installAsResponder(session, phase, now);
        connection.rotate(session, false, "handshake as responder");
        connection.learn(s.link, s.source);
        endpoint.send(a.datagram(), s.source, s.link);
        stats.count(HandshakeStats.Event.RESPONSE_SENT);
        completed(rekey, HandshakeStats.Event.COMPLETED_AS_RESPONDER, s.source);
    }

    java.util.Optional<Integer> lastIndex() {
        return java.util.Optional.ofNullable(lastIndex);
    }

    /** Whether this peer waits for the answer to its handshake with local index {@code index}. */
    boolean waitsFor(int index) {
        return attempt != null && attempt.localIndex() == index;
    }

    void response(ControlQueue.Slot s) {
        SessionHandshake.Established e;
        try {
            e = attempt.consume(s.buf, s.length);
        } catch (NoiseException ex) {
            // a response that does not authenticate ends nothing: the attempt waits for the real one or retries
            fail(HandshakeStats.Failure.INVALID, s.source, ex.getMessage());
            return;
        }
        attempt = null;
        cookie = null;
        e.keys().wipe();
        if (e.mux() != connection.mux()) {
            e.suite().wipe();
            fail(HandshakeStats.Failure.WRONG_MUX, s.source, null);
            return;
        }
        long now = System.nanoTime();
        boolean rekey = ring.current() != null;
        SatpSession session = sessionOf(e);
        // the keepalive that confirms the pair to the responder is sealed before the data path can use the pair
        byte[] keepalive = new byte[SatpLayout.HEADER_LENGTH + SatpLayout.PAYLOAD_TYPE_LENGTH + session.tagLength()];
        int first = KeyRing.firstSeq(e.keyPhase());
        int length = session.sealAs(keepalive, 0, 0, first);
        session.setNextSeq(first + 1);
        ring.installAsInitiator(session, e.keyPhase(), now);
        connection.rotate(session, true, "handshake as initiator");
        connection.resumeSealing();
        connection.learn(s.link, s.source);
        endpoint.send(Arrays.copyOf(keepalive, length), s.source, s.link);
        stats.keyInUse(System.currentTimeMillis());
        completed(rekey, HandshakeStats.Event.COMPLETED_AS_INITIATOR, s.source);
    }

    void cookieReply(ControlQueue.Slot s) {
        try {
            cookie = Cookies.open(s.buf, s.length, attemptInitiation, peerStatic);
        } catch (NoiseException e) {
            fail(HandshakeStats.Failure.INVALID, s.source, null);
            return;
        }
        initiate(attemptTo, attemptLink, System.nanoTime(), false); // at once, now with mac2
    }

    /** Data of this connection that no key opened while this side has none: the peer has keys we lost. */
    void staleData(ControlQueue.Slot s) {
        long now = System.nanoTime();
        if (attempt == null && !connection.canSeal() && now - lastStaleStart >= REKEY_TIMEOUT_NANOS) {
            lastStaleStart = now;
            initiate(s.source, s.link, now, true);
        }
    }

    private void completed(boolean rekey, HandshakeStats.Event as, InetSocketAddress peer) {
        stats.count(as);
        if (rekey) {
            stats.count(HandshakeStats.Event.REKEY);
        }
        stats.completed(System.currentTimeMillis());
        if (as == HandshakeStats.Event.COMPLETED_AS_INITIATOR) {
            endpoint.log.info("SATP session: new key pair with {} on mux {} (as initiator{})",
                    InetText.format(peer), mux(), rekey ? ", re-key" : "");
        } // the responder's pair is logged once the initiator's first datagram under it confirms it
    }

    // ---- timers

    void tick(long now) {
        KeyRing.Slot<SatpSession> next = ring.next();
        if (next != null && connection.session() == next.pair()) {
            boolean rekey = ring.current() != null;
            ring.received(next.pair()); // the data path promoted it: the initiator has it
            stats.keyInUse(System.currentTimeMillis());
            InetSocketAddress peer = connection.remote();
            endpoint.log.info("SATP session: new key pair with {} on mux {} (as responder{})", peer == null
                    ? "the peer" : InetText.format(peer), mux(), rekey ? ", re-key" : "");
        }
        if (connection.previous() == placeholder) {
            connection.retirePrevious(placeholder); // it never opened anything: no grace period
        }
        ring.expire(now);
        if (ring.current() == null && connection.canSeal()) {
            connection.holdSealing(); // REJECT_AFTER_TIME: the pair neither sends nor receives any more
        }
        wipeRetired(now);
        if (attempt != null) {
            if (now - retryAt >= 0) {
                stats.count(HandshakeStats.Failure.TIMEOUT);
                if (now - attemptStarted >= REKEY_ATTEMPT_NANOS) {
                    attempt = null; // give up until there is data to send again
                } else {
                    initiate(attemptTo, attemptLink, now, false);
                }
            }
            return;
        }
        // data to send and no pair: a handshake, unless the peer's handshake has just made one that waits for
        // its confirmation (then ours would only cross it)
        KeyRing.Slot<SatpSession> waiting = ring.next();
        boolean wanted = connection.takeKeyRequest() && ring.forSend(now) == null
                && (waiting == null || now - waiting.createdNanos() >= REKEY_TIMEOUT_NANOS);
        KeyRing.Slot<SatpSession> cur = ring.current();
        if (cur != null) {
            long age = now - cur.createdNanos();
            long rekeyAfter = endpoint.settings.rekeyAfterSeconds() * 1_000_000_000L;
            long rejectAfter = endpoint.settings.rejectAfterSeconds() * 1_000_000_000L;
            // the initiator of the pair re-keys on time; the responder only if the initiator has not by half-way
            // to the pair's end (it may be idle); either side when a pair has sealed REKEY_AFTER_MESSAGES
            wanted |= cur.initiator() ? age >= rekeyAfter : age >= (rekeyAfter + rejectAfter) / 2;
        }
        if (countRekeyWanted) {
            countRekeyWanted = false;
            wanted = true;
        }
        InetSocketAddress to = connection.remote();
        if (wanted && to != null) {
            initiate(to, 0, now, true);
        }
    }

    /** Sends a new initiation (a retry is a new handshake with new ephemerals, WireGuard's rule). */
    private void initiate(InetSocketAddress to, int link, long now, boolean first) {
        if (first) {
            attemptStarted = now;
        }
        int index = endpoint.random.nextInt();
        attempt = new SessionHandshake.Initiator(endpoint.protocol, endpoint.local, peerStatic, psk,
                endpoint.senderId, index, Instant.now(), endpoint.random);
        endpoint.attemptStarted(this, lastIndex, index);
        lastIndex = index;
        attemptInitiation = attempt.initiation(cookie);
        attemptTo = to;
        attemptLink = link;
        retryAt = now + REKEY_TIMEOUT_NANOS + endpoint.random.nextInt(JITTER_MILLIS) * 1_000_000L;
        endpoint.send(attemptInitiation, to, link);
        stats.count(HandshakeStats.Event.INITIATION_SENT);
    }

    // ---- key pairs

    private SatpSession sessionOf(SessionHandshake.Established e) {
        SatpSession s = new SatpSession(e.suite(), e.initiator() ? Role.LEFT : Role.RIGHT, endpoint.senderId,
                connection.mux(), endpoint.deviceType, endpoint.window);
        long first = Integer.toUnsignedLong(KeyRing.firstSeq(e.keyPhase()));
        s.setNextSeq((int) first);
        s.restrictToPhase(e.keyPhase());
        // the pair's numbers: its phase in the top 2 bits, at most REJECT_AFTER_MESSAGES of them; half-way to the
        // re-key count the data path asks for a new handshake (the lease's wake-up, allocation-free)
        SendLease limit = new SendLease(() -> {
            countRekeyWanted = true;
            endpoint.attention();
        });
        limit.grant(first + KeyRing.REJECT_AFTER_MESSAGES, first + KeyRing.REKEY_AFTER_MESSAGES);
        s.useLease(limit);
        return s;
    }

    /** A pair left the ring: it stops being used now, and is wiped once no packet thread can hold it. */
    private void retire(SatpSession s) {
        connection.retirePrevious(s);
        retired.add(new Retired(s, System.nanoTime()));
    }

    private void wipeRetired(long now) {
        while (!retired.isEmpty() && now - retired.peek().at >= WIPE_DELAY_NANOS) {
            SatpSession s = retired.poll().session;
            if (s != connection.session() && s != connection.next()) {
                wipe(s);
            }
        }
    }

    /** Removed from the endpoint (and the table) at {@code now}: it stops sealing; its keys go soon after. */
    void leave(long now) {
        leftAt = now;
        attempt = null;
        connection.holdSealing();
    }

    /** True once the peer has left long enough ago that no packet thread holds its keys: then they are wiped. */
    boolean wipedAfterLeaving(long now) {
        if (now - leftAt < WIPE_DELAY_NANOS) {
            return false;
        }
        close();
        return true;
    }

    /** Wipes every key of this peer (once the data path no longer uses them). */
    void close() {
        ring.clear();
        while (!retired.isEmpty()) {
            wipe(retired.poll().session);
        }
        Secrets.wipe(psk);
    }

    private static void wipe(SatpSession s) {
        if (s.suite() instanceof AeadSuite a) {
            a.wipe();
        }
    }

    private void fail(HandshakeStats.Failure f, InetSocketAddress source, String detail) {
        endpoint.fail(stats, f, source, detail);
    }
}
