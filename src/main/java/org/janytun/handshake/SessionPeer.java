package org.janytun.handshake;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import org.janytun.address.InetText;
import org.janytun.config.SessionSettings;
import org.janytun.connection.Connection;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.crypto.AeadSuite;
import org.janytun.crypto.Role;
import org.janytun.datapath.ControlSink;
import org.janytun.keyx.ControlDatagram;
import org.janytun.keyx.Cookies;
import org.janytun.keyx.HandshakeRateLimiter;
import org.janytun.keyx.KeyRing;
import org.janytun.keyx.SessionHandshake;
import org.janytun.keyx.SessionKeys;
import org.janytun.keyx.Tai64n;
import org.janytun.log.RateLimitedLog;
import org.janytun.noise.NoiseException;
import org.janytun.noise.Protocol;
import org.janytun.noise.Secrets;
import org.janytun.noise.X25519;
import org.janytun.session.SatpSession;
import org.janytun.session.SendLease;
import org.janytun.transport.DatagramBatch;
import org.janytun.transport.DatagramSender;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.slf4j.Logger;

/**
 * The handshake thread of one SATP-session peer (docs/SATP-SESSIONS.md §3–§6). It takes control datagrams from
 * the bounded {@link ControlQueue} the receive stage fills, answers initiations (mac1 first, then cookies under
 * load, the per-source rate limit, the peer's key, the timestamp, and only then the public-key work), starts
 * handshakes when the data path asks for keys or a key pair is due for re-keying, and installs each new pair in
 * the {@link Connection}: the initiator seals with it at once (after a keepalive under it that confirms it), the
 * responder holds it as <em>next</em> until the first authentic datagram under it promotes it. Pairs leave through
 * the {@link KeyRing} and are wiped once no packet thread can still hold them.
 *
 * <p>Everything here runs on the one handshake thread, except {@link #queue()} (the receive stage's) and
 * {@link #stats()} (any reader).
 */
public final class SessionPeer implements AutoCloseable {
    /** WireGuard's REKEY_TIMEOUT, REKEY_ATTEMPT_TIME and jitter (docs/SATP-SESSIONS.md §6.3). */
    static final long REKEY_TIMEOUT_NANOS = Duration.ofSeconds(5).toNanos();
    static final long REKEY_ATTEMPT_NANOS = Duration.ofSeconds(90).toNanos();
    static final int JITTER_MILLIS = 334;
    /** How long a retired pair stays intact before it is wiped: longer than any packet thread holds it. */
    private static final long WIPE_DELAY_NANOS = Duration.ofSeconds(2).toNanos();
    private static final long TICK_MILLIS = 20;
    /** At least this replay window for session keys, whatever -w says (WireGuard's). */
    static final long MIN_WINDOW = 8192;

    private final Logger log;
    private final RateLimitedLog outsiderLog = new RateLimitedLog(Duration.ofSeconds(10));
    private final SessionSettings settings;
    private final Protocol protocol;
    private final X25519.KeyPair local;
    private final byte[] peerStatic;
    private final byte[] psk;
    private final Connection connection;
    /** The throwaway session the connection starts with: dropped once a real pair has replaced it. */
    private final SatpSession placeholder;
    private final int senderId;
    private final DeviceType deviceType;
    private final long window;
    private final DatagramSender sender;
    private final DatagramBatch out = DatagramBatch.forSending(2);
    private final ControlQueue queue = new ControlQueue();
    private final SecureRandom random = new SecureRandom();
    private final SessionHandshake.Responder responder;
    private final Cookies cookies;
    private final HandshakeRateLimiter limiter = new HandshakeRateLimiter(4096);
    private final KeyRing<SatpSession> ring;
    private final HandshakeStats stats;
    private final ArrayDeque<Retired> retired = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean countRekeyWanted;

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

    private record Retired(SatpSession session, long at) {}

    /**
     * @param connection the peer's connection, made with {@link #placeholder}; it holds sealing until the first
     *                   pair is installed
     * @param sender     a sender of the data transport for this thread alone: handshakes leave on the data port
     */
    public SessionPeer(SessionSettings settings, Connection connection, int senderId, DeviceType deviceType,
                       long window, DatagramSender sender, Logger log) {
        this.settings = settings;
        this.log = log;
        this.protocol = Protocol.ikPsk2(SessionKeys.handshakeCipher(settings.suite()), settings.postQuantum());
        this.local = X25519.fromPrivate(settings.privateKey().bytes()); // keeps the copy; close() wipes it
        this.peerStatic = settings.peerPublicKey();
        this.psk = settings.psk().map(s -> s.bytes()).orElse(null);
        this.connection = connection;
        this.placeholder = connection.session();
        this.senderId = senderId;
        this.deviceType = deviceType;
        this.window = Math.max(window, MIN_WINDOW);
        this.sender = sender;
        this.responder = new SessionHandshake.Responder(protocol, local, senderId, random);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        this.cookies = new Cookies(secret);
        Secrets.wipe(secret);
        this.ring = new KeyRing<>(this::retire, settings.rekeyAfterSeconds(), settings.rejectAfterSeconds());
        this.stats = new HandshakeStats(settings.suite().optionName(), settings.postQuantum());
        this.thread = Thread.ofPlatform().name("janytun-handshake").daemon().unstarted(this::run);
    }

    /**
     * A session for the connection before any handshake: random throwaway keys, so that nothing opens under it;
     * the connection must {@link Connection#holdSealing} until a pair is installed.
     */
    public static SatpSession placeholder(AeadAlgorithm algorithm, int senderId, int mux, DeviceType type) {
        AeadSuite suite = new AeadSuite(algorithm, new byte[32], new byte[12], new byte[32], new byte[12]).throwaway();
        return new SatpSession(suite, Role.LEFT, senderId, mux, type, 0);
    }

    /**
     * A few handshakes in memory between throwaway identities, with a datagram sealed and opened under the result:
     * run before the device and the socket exist, so that the first real handshake (a restart's) does not pay for
     * class loading and the interpreter. Nothing leaves the process.
     */
    public static void warmUp(SessionSettings settings) {
        SecureRandom r = new SecureRandom();
        Protocol p = Protocol.ikPsk2(SessionKeys.handshakeCipher(settings.suite()), settings.postQuantum());
        X25519.KeyPair i = X25519.generate(r);
        X25519.KeyPair o = X25519.generate(r);
        try {
            for (int k = 0; k < 3; k++) {
                SessionHandshake.Initiator ini = new SessionHandshake.Initiator(p, i, o.publicKey(), null, 0, k,
                        Instant.now(), r);
                byte[] d = ini.initiation(null);
                SessionHandshake.Answer a = new SessionHandshake.Responder(p, o, 0, r).read(d, d.length, null)
                        .answer(null, 0, 0, k, null);
                SessionHandshake.Established e = ini.consume(a.datagram(), a.datagram().length);
                SatpSession sealing = new SatpSession(e.suite(), Role.LEFT, 0, 0, DeviceType.TUN, 64);
                SatpSession opening = new SatpSession(a.established().suite(), Role.RIGHT, 0, 0, DeviceType.TUN, 64);
                byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
                buf[SatpLayout.INNER_OFFSET] = 0x45;
                org.janytun.session.PacketResult res = new org.janytun.session.PacketResult();
                if (sealing.seal(buf, 100, res)) {
                    opening.open(buf, res.datagramLength(), res);
                }
                for (SessionHandshake.Established x : List.of(e, a.established())) {
                    x.keys().wipe();
                    x.suite().wipe();
                }
            }
        } catch (NoiseException e) {
            throw new IllegalStateException("the warm-up handshake failed: " + e.getMessage(), e);
        } finally {
            i.wipe();
            o.wipe();
        }
    }

    /** The queue the receive stage fills ({@link org.janytun.datapath.Forwarder#onControl}). */
    public ControlSink queue() {
        return queue;
    }

    public HandshakeStats stats() {
        return stats;
    }

    /** The protocol name, for the log. */
    public String protocolName() {
        return protocol.name();
    }

    /** Starts the thread; with a known endpoint, a first handshake at once (a restart is a new session). */
    public void start() {
        if (connection.remote() != null) {
            connection.requestKeys();
        }
        thread.start();
    }

    /** Stops the handshake thread (before the data path stops: it sends on the data path's socket). */
    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread if it still runs and wipes every key: once the data path has stopped using them. */
    @Override
    public void close() {
        stop();
        ring.clear();
        while (!retired.isEmpty()) {
            wipe(retired.poll().session);
        }
        local.wipe();
        Secrets.wipe(psk);
    }

    private void run() {
        while (running) {
            try {
                ControlQueue.Slot s = queue.take(TICK_MILLIS);
                if (s != null) {
                    try {
                        handle(s);
                    } finally {
                        queue.done(s);
                    }
                }
                tick(System.nanoTime());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("handshake thread: {}", e.toString()); // a bug, not input: keep serving
            }
        }
    }

    // ---- received datagrams

    private void handle(ControlQueue.Slot s) {
        if (SatpLayout.mux(s.buf) != ControlDatagram.MUX) {
            staleData(s);
            return;
        }
        switch (ControlDatagram.type(s.buf)) {
            case ControlDatagram.INITIATION -> initiation(s);
            case ControlDatagram.RESPONSE -> response(s);
            case ControlDatagram.COOKIE_REPLY -> cookieReply(s);
            default -> fail(HandshakeStats.Failure.BAD_MAC1, s.source);
        }
    }

    private void initiation(ControlQueue.Slot s) {
        long now = System.nanoTime();
        if (!responder.precheck(s.buf, s.length, null)) {
            fail(HandshakeStats.Failure.BAD_MAC1, s.source);
            return;
        }
        byte[] addr = s.source.getAddress().getAddress();
        long unix = System.currentTimeMillis() / 1000;
        if (queue.depth() > ControlQueue.CAPACITY / 8
                && !cookies.mac2Valid(s.buf, s.length, addr, s.source.getPort(), unix)) {
            // under load: the source must prove it receives at its address before it costs public-key work
            send(cookies.reply(s.buf, s.length, addr, s.source.getPort(), unix, local.publicKey(), senderId, random),
                    s.source, s.link);
            stats.count(HandshakeStats.Event.COOKIE_REPLY_SENT);
            stats.count(HandshakeStats.Failure.NO_COOKIE);
            return;
        }
        if (!limiter.allow(addr, now)) {
            fail(HandshakeStats.Failure.RATE_LIMITED, s.source);
            return;
        }
        SessionHandshake.Incoming in;
        try {
            in = responder.read(s.buf, s.length, null);
        } catch (NoiseException e) {
            fail(HandshakeStats.Failure.INVALID, s.source, e.getMessage());
            return;
        }
        if (!Secrets.equal(in.peerStatic(), peerStatic)) {
            in.refuse();
            fail(HandshakeStats.Failure.UNKNOWN_PEER, s.source);
            return;
        }
        byte[] ts = in.timestamp();
        if (!Tai64n.acceptable(ts, greatestTimestamp, Instant.now())) {
            in.refuse();
            fail(HandshakeStats.Failure.OLD_TIMESTAMP, s.source);
            return;
        }
        if (attempt != null && SessionHandshake.keepsOwnInitiation(local.publicKey(), peerStatic)) {
            in.refuse(); // both started at once: the smaller public key's handshake goes on (both sides agree)
            stats.count(HandshakeStats.Failure.SIMULTANEOUS);
            return;
        }
        attempt = null;
        greatestTimestamp = ts;
        int phase = ring.freePhase();
        SessionHandshake.Answer a = in.answer(psk, connection.mux(), phase, random.nextInt(), null);
        SessionHandshake.Established e = a.established();
        e.keys().wipe();
        boolean rekey = ring.current() != null;
        SatpSession session = sessionOf(e);
        // installed before the response leaves: the initiator's keepalive may come back at once
        ring.installAsResponder(session, phase, now);
        connection.rotate(session, false, "handshake as responder");
        connection.learn(s.link, s.source);
        send(a.datagram(), s.source, s.link);
        stats.count(HandshakeStats.Event.RESPONSE_SENT);
        completed(rekey, HandshakeStats.Event.COMPLETED_AS_RESPONDER, s.source);
    }

    private void response(ControlQueue.Slot s) {
        SessionHandshake.Initiator i = attempt;
        if (i == null) {
            fail(HandshakeStats.Failure.UNEXPECTED, s.source);
            return;
        }
        SessionHandshake.Established e;
        try {
            e = i.consume(s.buf, s.length);
        } catch (NoiseException ex) {
            // a response that does not authenticate ends nothing: the attempt waits for the real one or retries
            fail(ex.getMessage().startsWith("response for another") ? HandshakeStats.Failure.UNEXPECTED
                    : HandshakeStats.Failure.INVALID, s.source, ex.getMessage());
            return;
        }
        attempt = null;
        cookie = null;
        e.keys().wipe();
        if (e.mux() != connection.mux()) {
            e.suite().wipe();
            fail(HandshakeStats.Failure.WRONG_MUX, s.source);
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
        send(Arrays.copyOf(keepalive, length), s.source, s.link);
        stats.keyInUse(System.currentTimeMillis());
        completed(rekey, HandshakeStats.Event.COMPLETED_AS_INITIATOR, s.source);
    }

    private void cookieReply(ControlQueue.Slot s) {
        if (attempt == null) {
            fail(HandshakeStats.Failure.UNEXPECTED, s.source);
            return;
        }
        try {
            cookie = Cookies.open(s.buf, s.length, attemptInitiation, peerStatic);
        } catch (NoiseException e) {
            fail(HandshakeStats.Failure.INVALID, s.source);
            return;
        }
        initiate(attemptTo, attemptLink, System.nanoTime(), false); // at once, now with mac2
    }

    /** Data of this connection that no key opened while this side has none: the peer has keys we lost. */
    private void staleData(ControlQueue.Slot s) {
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
            log.info("SATP session: new key pair with {} (as initiator{})", InetText.format(peer),
                    rekey ? ", re-key" : "");
        } // the responder's pair is logged once the initiator's first datagram under it confirms it
    }

    // ---- timers

    private void tick(long now) {
        KeyRing.Slot<SatpSession> next = ring.next();
        if (next != null && connection.session() == next.pair()) {
            boolean rekey = ring.current() != null;
            ring.received(next.pair()); // the data path promoted it: the initiator has it
            stats.keyInUse(System.currentTimeMillis());
            InetSocketAddress peer = connection.remote();
            log.info("SATP session: new key pair with {} (as responder{})", peer == null ? "the peer"
                    : InetText.format(peer), rekey ? ", re-key" : "");
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
                if (now - attemptStarted >= REKEY_ATTEMPT_NANOS) {
                    attempt = null; // give up until there is data to send again
                    stats.count(HandshakeStats.Failure.TIMEOUT);
                } else {
                    stats.count(HandshakeStats.Failure.TIMEOUT);
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
            long rekeyAfter = settings.rekeyAfterSeconds() * 1_000_000_000L;
            long rejectAfter = settings.rejectAfterSeconds() * 1_000_000_000L;
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
        attempt = new SessionHandshake.Initiator(protocol, local, peerStatic, psk, senderId, random.nextInt(),
                Instant.now(), random);
        attemptInitiation = attempt.initiation(cookie);
        attemptTo = to;
        attemptLink = link;
        retryAt = now + REKEY_TIMEOUT_NANOS + random.nextInt(JITTER_MILLIS) * 1_000_000L;
        send(attemptInitiation, to, link);
        stats.count(HandshakeStats.Event.INITIATION_SENT);
    }

    // ---- key pairs

    private SatpSession sessionOf(SessionHandshake.Established e) {
        SatpSession s = new SatpSession(e.suite(), e.initiator() ? Role.LEFT : Role.RIGHT, senderId,
                connection.mux(), deviceType, window);
        long first = Integer.toUnsignedLong(KeyRing.firstSeq(e.keyPhase()));
        s.setNextSeq((int) first);
        s.restrictToPhase(e.keyPhase());
        // the pair's numbers: its phase in the top 2 bits, at most REJECT_AFTER_MESSAGES of them; half-way to the
        // re-key count the data path asks for a new handshake (the lease's wake-up, allocation-free)
        SendLease limit = new SendLease(() -> countRekeyWanted = true);
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

    private static void wipe(SatpSession s) {
        if (s.suite() instanceof AeadSuite a) {
            a.wipe();
        }
    }

    // ---- output

    private void send(byte[] d, InetSocketAddress to, int link) {
        out.add(d, d.length, to, link);
        sender.send(out);
        out.clear();
    }

    private void fail(HandshakeStats.Failure f, InetSocketAddress source) {
        fail(f, source, null);
    }

    /** Counts and logs (at a limited rate: outsiders trigger it) a dropped datagram; {@code detail} is no secret. */
    private void fail(HandshakeStats.Failure f, InetSocketAddress source, String detail) {
        stats.count(f);
        String more = outsiderLog.permit();
        if (more != null) {
            log.info("handshake datagram from {} dropped: {}{}{}", InetText.format(source), f.description(),
                    detail == null ? "" : " (" + detail + ")", more);
        }
    }
}
