package org.janytun.handshake;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.janytun.address.InetText;
import org.janytun.config.SessionPeerSettings;
import org.janytun.config.SessionSettings;
import org.janytun.connection.Connection;
import org.janytun.connection.Path;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.crypto.AeadSuite;
import org.janytun.crypto.Role;
import org.janytun.datapath.ControlSink;
import org.janytun.keyx.ControlDatagram;
import org.janytun.keyx.Cookies;
import org.janytun.keyx.HandshakeRateLimiter;
import org.janytun.keyx.SessionHandshake;
import org.janytun.keyx.SessionKeys;
import org.janytun.log.RateLimitedLog;
import org.janytun.noise.NoiseException;
import org.janytun.noise.Protocol;
import org.janytun.noise.Secrets;
import org.janytun.noise.X25519;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.transport.DatagramBatch;
import org.janytun.transport.DatagramSender;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.slf4j.Logger;

/**
 * The handshake thread of an SATP-session endpoint (docs/SATP-SESSIONS.md §3–§6): one static key, and one
 * {@link SessionPeer} per peer it knows (one on a point-to-point tunnel, any number on a server). It takes control
 * datagrams from the bounded {@link ControlQueue} the receive stage fills and checks what needs no peer first (mac1,
 * cookies under load, the per-source rate limit); the initiation's authenticated static key then names the peer,
 * a response or cookie reply's receiver index names the peer whose handshake it answers, and data that no key
 * opened names its peer by its mux. Each peer's state and timers are its {@link SessionPeer}'s.
 *
 * <p>Everything runs on the one handshake thread: peers are added and removed through it ({@link #add},
 * {@link #remove}, {@link #applyPeers}); {@link #queue()} is the receive stage's and the statistics anyone's.
 */
public final class SessionEndpoint implements AutoCloseable {
    private static final long TICK_MILLIS = 20;
    /**
     * How often every peer's timers are looked at when the endpoint has many peers (at most {@value #FEW_PEERS}:
     * every tick). Timers are seconds long; what must not wait (a packet with no key, a pair at its re-key count)
     * wakes the sweep at once ({@link #attention}), so a server of 65,535 idle peers costs little.
     */
    private static final long SWEEP_NANOS = 250_000_000L;
    private static final int FEW_PEERS = 64;
    /** How long add/remove wait for the handshake thread to take them. */
    private static final long COMMAND_TIMEOUT_SECONDS = 5;

    final Logger log;
    private final RateLimitedLog outsiderLog = new RateLimitedLog(Duration.ofSeconds(10));
    final SessionSettings settings;
    final Protocol protocol;
    final X25519.KeyPair local;
    final int senderId;
    final DeviceType deviceType;
    final long window;
    final SecureRandom random = new SecureRandom();
    private final DatagramSender sender;
    private final DatagramBatch out = DatagramBatch.forSending(2);
    private final ControlQueue queue = new ControlQueue();
    private final SessionHandshake.Responder responder;
    private final Cookies cookies;
    private final HandshakeRateLimiter limiter = new HandshakeRateLimiter(4096);
    private final HandshakeStats stats;
    private final PeerTable table;
    /** Peers by mux: changed on the handshake thread only, read by anyone (show). */
    private final Map<Integer, SessionPeer> byMux = new ConcurrentHashMap<>();
    /** Peers by public key (base64): the handshake thread's. */
    private final Map<String, SessionPeer> byKey = new HashMap<>();
    /**
     * Peers by the local index of the handshake each last started: a response or cookie reply finds its peer in one
     * lookup, not a scan of every peer (a stranger's forged responses must not cost the thread O(peers) each).
     */
    private final Map<Integer, SessionPeer> byAttempt = new HashMap<>();
    /** Peers removed, wiped once no packet thread can still hold their keys. */
    private final List<SessionPeer> leaving = new ArrayList<>();
    private final ConcurrentLinkedQueue<FutureTask<?>> commands = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** A peer's data path asked for keys or a re-key: sweep at the next turn. */
    private volatile boolean attention;
    private long nextSweep;

    /**
     * @param sender a sender of the data transport for this thread alone: handshakes leave on the data port
     * @param table  where each peer's connection goes ({@link PeerTable#SINGLE} on a point-to-point tunnel)
     */
    public SessionEndpoint(SessionSettings settings, int senderId, DeviceType deviceType, long window,
                           DatagramSender sender, PeerTable table, Logger log) {
        this.settings = settings;
        this.log = log;
        this.protocol = Protocol.ikPsk2(SessionKeys.handshakeCipher(settings.suite()), settings.postQuantum());
        this.local = X25519.fromPrivate(settings.privateKey().bytes()); // keeps the copy; close() wipes it
        this.senderId = senderId;
        this.deviceType = deviceType;
        this.window = Math.max(window, SessionPeer.MIN_WINDOW);
        this.sender = sender;
        this.table = table;
        this.responder = new SessionHandshake.Responder(protocol, local, senderId, random);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        this.cookies = new Cookies(secret);
        Secrets.wipe(secret);
        this.stats = new HandshakeStats(settings.suite().optionName(), settings.postQuantum(), null);
        this.thread = Thread.ofPlatform().name("janytun-handshake").daemon().unstarted(this::run);
    }

    /**
     * A session for a connection before any handshake: random throwaway keys, so that nothing opens under it;
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
                PacketResult res = new PacketResult();
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

    /** Every peer's handshakes together, and the datagrams no peer could be named for. */
    public HandshakeStats stats() {
        return stats;
    }

    /** The handshakes of the peer on {@code mux}, or null if no peer has it. */
    public HandshakeStats stats(int mux) {
        SessionPeer p = byMux.get(mux);
        return p == null ? null : p.stats;
    }

    /** The public key of the peer on {@code mux} (base64, not secret), or null. */
    public String peerKey(int mux) {
        SessionPeer p = byMux.get(mux);
        return p == null ? null : p.keyText;
    }

    public int peerCount() {
        return byMux.size();
    }

    /** The protocol name, for the log. */
    public String protocolName() {
        return protocol.name();
    }

    // ---- peers

    /**
     * Adds a peer: its connection (sealing held until a handshake), installed in the {@link PeerTable} with its
     * routes. The pre-shared key is copied; the caller wipes its own.
     *
     * @param remote   the peer's endpoint if known (a point-to-point tunnel's {@code -r}), else null: it is learned
     *                 from the peer's handshake
     * @param operator added by {@code janytun-ctl} rather than the configuration: a reload keeps it
     * @return the peer's connection
     * @throws IllegalArgumentException why not (its public key or mux is taken, the table refused it)
     */
    public Connection add(SessionPeerSettings peer, InetSocketAddress remote, boolean operator) {
        return onThread(() -> addHere(peer, remote, operator));
    }

    /**
     * Adds the peers of a peers file, as {@link #add} each (endpoints learned from their handshakes), published to
     * the data path once.
     *
     * @throws IllegalArgumentException for the first peer that cannot be added (those before it were)
     */
    public void addAll(List<SessionPeerSettings> peers) {
        onThread(() -> {
            table.batch(() -> peers.forEach(p -> addHere(p, null, false)));
            return null;
        });
    }

    /** Removes the peer on {@code mux}: false if no peer has it. Its keys are wiped shortly after. */
    public boolean remove(int mux) {
        return onThread(() -> {
            SessionPeer p = byMux.get(mux);
            if (p == null) {
                return false;
            }
            removeHere(p);
            return true;
        });
    }

    /**
     * A reload of the peers file: peers it no longer has are removed (not those {@code janytun-ctl} added), new
     * ones added, and a peer whose key, mux or pre-shared key changed starts again; a peer whose routes alone
     * changed keeps its session.
     *
     * @return a summary for the log and the answer, e.g. "peers: 2 added, 1 removed, 0 restarted, 1 rerouted"
     * @throws IllegalArgumentException if a new peer cannot be added (those before it were)
     */
    public String applyPeers(List<SessionPeerSettings> peers) {
        return onThread(() -> {
            String[] summary = new String[1];
            table.batch(() -> summary[0] = applyHere(peers));
            return summary[0];
        });
    }

    private String applyHere(List<SessionPeerSettings> peers) {
        int added = 0;
        int removed = 0;
        int restarted = 0;
        int rerouted = 0;
        Map<String, SessionPeerSettings> wanted = new HashMap<>();
        peers.forEach(p -> wanted.put(p.publicKeyText(), p));
        for (SessionPeer p : List.copyOf(byMux.values())) {
            SessionPeerSettings w = wanted.get(p.keyText);
            if (w == null && !p.operator) {
                removeHere(p);
                removed++;
            } else if (w != null && !p.sameSessionAs(w)) {
                removeHere(p);
                restarted++;
            }
        }
        for (SessionPeerSettings w : peers) {
            SessionPeer p = byKey.get(w.publicKeyText());
            if (p == null) {
                SessionPeer other = byMux.get(w.mux());
                if (other != null && other.operator) {
                    removeHere(other); // the file's peer takes the mux an operator's peer had
                }
                addHere(w, null, false);
                added++;
            } else {
                if (!p.settings.routes().equals(w.routes())) {
                    table.reroute(p.connection, w.routes());
                    rerouted++;
                }
                p.settings = w;
                p.operator = false;
            }
        }
        added -= restarted;
        return "peers: " + added + " added, " + removed + " removed, " + restarted + " restarted, " + rerouted
                + " rerouted";
    }

    private Connection addHere(SessionPeerSettings peer, InetSocketAddress remote, boolean operator) {
        String key = peer.publicKeyText();
        if (byKey.containsKey(key)) {
            throw new IllegalArgumentException("public key " + key + " is the peer on mux " + byKey.get(key).mux());
        }
        if (byMux.containsKey(peer.mux())) {
            throw new IllegalArgumentException("mux " + peer.mux() + " is another SATP-session peer's");
        }
        Connection c = Connection.of(placeholder(settings.suite(), senderId, peer.mux(), deviceType),
                new Path(0, remote));
        c.holdSealing();
        c.onKeyRequest(this::attention);
        c.keySource("SATP session");
        String refused = table.install(c, peer.routes());
        if (refused != null) {
            throw new IllegalArgumentException(refused);
        }
        SessionPeer p = new SessionPeer(this, peer, c, operator,
                new HandshakeStats(settings.suite().optionName(), settings.postQuantum(), stats));
        byKey.put(key, p);
        byMux.put(peer.mux(), p);
        if (running && thread.isAlive() && remote != null) {
            c.requestKeys();
        }
        return c;
    }

    private void removeHere(SessionPeer p) {
        table.uninstall(p.connection);
        byKey.remove(p.keyText);
        byMux.remove(p.mux());
        p.lastIndex().ifPresent(i -> byAttempt.remove(i, p));
        p.leave(System.nanoTime());
        leaving.add(p);
    }

    /** Runs {@code task} on the handshake thread (at once if it is not running), waiting for its result. */
    private <T> T onThread(java.util.concurrent.Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(task);
        if (!thread.isAlive() || Thread.currentThread() == thread) {
            f.run();
        } else {
            commands.add(f);
        }
        try {
            return f.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new IllegalStateException("the handshake thread did not answer within " + COMMAND_TIMEOUT_SECONDS
                    + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    // ---- the thread

    /** Starts the thread; each peer with a known endpoint handshakes at once (a restart is a new session). */
    public void start() {
        for (SessionPeer p : byMux.values()) {
            if (p.connection.remote() != null) {
                p.connection.requestKeys();
            }
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
        byMux.values().forEach(SessionPeer::close);
        leaving.forEach(SessionPeer::close);
        local.wipe();
    }

    private void run() {
        while (running) {
            try {
                for (FutureTask<?> c; (c = commands.poll()) != null; ) {
                    c.run();
                }
                ControlQueue.Slot s = queue.take(TICK_MILLIS);
                if (s != null) {
                    try {
                        handle(s);
                    } finally {
                        queue.done(s);
                    }
                }
                long now = System.nanoTime();
                if (attention || byMux.size() <= FEW_PEERS || now - nextSweep >= 0) {
                    attention = false;
                    nextSweep = now + SWEEP_NANOS;
                    tick(now);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("handshake thread: {}", e.toString()); // a bug, not input: keep serving
            }
        }
    }

    /** Asks for a sweep of every peer at the next turn (any thread; no allocation). */
    void attention() {
        attention = true;
    }

    private void tick(long now) {
        for (SessionPeer p : byMux.values()) {
            p.tick(now);
        }
        leaving.removeIf(p -> p.wipedAfterLeaving(now));
    }

    // ---- received datagrams

    private void handle(ControlQueue.Slot s) {
        if (SatpLayout.mux(s.buf) != ControlDatagram.MUX) {
            SessionPeer p = byMux.get(SatpLayout.mux(s.buf));
            if (p != null) {
                p.staleData(s);
            }
            return;
        }
        switch (ControlDatagram.type(s.buf)) {
            case ControlDatagram.INITIATION -> initiation(s);
            case ControlDatagram.RESPONSE -> answerToOurs(s, 12);
            case ControlDatagram.COOKIE_REPLY -> answerToOurs(s, 8);
            default -> fail(HandshakeStats.Failure.BAD_MAC1, s.source, null);
        }
    }

    private void initiation(ControlQueue.Slot s) {
        long now = System.nanoTime();
        if (!responder.precheck(s.buf, s.length, null)) {
            fail(HandshakeStats.Failure.BAD_MAC1, s.source, null);
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
            fail(HandshakeStats.Failure.RATE_LIMITED, s.source, null);
            return;
        }
        SessionHandshake.Incoming in;
        try {
            in = responder.read(s.buf, s.length, null);
        } catch (NoiseException e) {
            fail(HandshakeStats.Failure.INVALID, s.source, e.getMessage());
            return;
        }
        byte[] peerStatic = in.peerStatic();
        SessionPeer p = byKey.get(org.janytun.config.KeyText.encode(peerStatic));
        if (p == null || !Secrets.equal(peerStatic, p.peerStatic)) {
            in.refuse();
            fail(HandshakeStats.Failure.UNKNOWN_PEER, s.source, null);
            return;
        }
        p.initiation(in, s, now);
    }

    /** A response (receiver index at 12) or cookie reply (at 8) goes to the peer whose handshake has that index. */
    private void answerToOurs(ControlQueue.Slot s, int indexAt) {
        if (s.length >= indexAt + 4) {
            int index = SatpLayout.getInt(s.buf, indexAt);
            SessionPeer p = byAttempt.get(index);
            if (p != null && p.waitsFor(index)) {
                if (indexAt == 12) {
                    p.response(s);
                } else {
                    p.cookieReply(s);
                }
                return;
            }
        }
        fail(HandshakeStats.Failure.UNEXPECTED, s.source, null);
    }

    /** Peer {@code p} started a handshake with local index {@code index}, replacing its previous one. */
    void attemptStarted(SessionPeer p, Integer previous, int index) {
        if (previous != null) {
            byAttempt.remove(previous, p);
        }
        byAttempt.put(index, p);
    }

    // ---- output

    void send(byte[] d, InetSocketAddress to, int link) {
        out.add(d, d.length, to, link);
        sender.send(out);
        out.clear();
    }

    /** Counts (in {@code counted}) and logs at a limited rate (outsiders trigger it) a dropped datagram. */
    void fail(HandshakeStats counted, HandshakeStats.Failure f, InetSocketAddress source, String detail) {
        counted.count(f);
        String more = outsiderLog.permit();
        if (more != null) {
            log.info("handshake datagram from {} dropped: {}{}{}", InetText.format(source), f.description(),
                    detail == null ? "" : " (" + detail + ")", more);
        }
    }

    private void fail(HandshakeStats.Failure f, InetSocketAddress source, String detail) {
        fail(stats, f, source, detail);
    }
}
