package org.janytun.daemon;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.janytun.handshake.HandshakeStats;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.janytun.address.InetText;
import org.janytun.connection.Connection;
import org.janytun.connection.Path;
import org.janytun.connection.ConnectionTable;
import org.janytun.connection.TrafficCounters;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.SuiteException;
import org.janytun.ctl.CtlException;
import org.janytun.ctl.CtlHandler;
import org.janytun.ctl.CtlRequest;
import org.janytun.ctl.CtlResponse;
import org.janytun.session.DropReason;
import org.janytun.session.SatpSession;
import org.janytun.session.SendLease;
import org.janytun.syncio.SyncClient;
import org.janytun.text.Digits;
import org.slf4j.Logger;

/**
 * What janytun does for {@code janytun-ctl}: {@code show} (state and counters, never a secret) and {@code set-key}
 * (a new legacy master key and salt for one connection, without dropping the tunnel).
 */
final class DaemonControl implements CtlHandler {
    /** Longest grace period for a previous key, and the longest wait before a new key sends. */
    static final long MAX_SECONDS = 3600;
    /** Grace period for the previous key when the request gives none. */
    static final long DEFAULT_GRACE_SECONDS = 120;

    /** What show reports about the daemon as a whole. */
    interface View {
        String device();

        int senderId();

        ConnectionTable table();

        TrafficCounters counters();

        long deviceReadDrops();

        String dataPath();

        List<String> routes();

        /** The control host ({@code -X}) link, or null without one. */
        SyncClient.State controlHost();

        /** The links to cluster peers ({@code -M}). */
        List<SyncClient.State> syncPeers();

        /** Cluster peers connected to our sync port now, or -1 without one. */
        int syncClients();

        /** Re-reads the configuration and applies what can be applied live ({@link ReloadPlan}). */
        ReloadPlan reload() throws CtlException;

        /** Connection {@code mux} was given a new key: cluster peers are told. */
        void keyChanged(int mux);

        /** The SATP session's handshakes and key state; null for static keys. */
        default HandshakeStats handshake() {
            return null;
        }

        /** The handshakes of the SATP-session peer on {@code mux}, or null (not a session peer). */
        default HandshakeStats handshake(int mux) {
            return null;
        }

        /** The public key of the SATP-session peer on {@code mux} (base64, not secret), or null. */
        default String peerKey(int mux) {
            return null;
        }
    }

    private final View view;
    private final TableEdits edits;
    private final ScheduledExecutorService timers;
    private final Logger log;

    DaemonControl(View view, TableEdits edits, ScheduledExecutorService timers, Logger log) {
        this.view = view;
        this.edits = edits;
        this.timers = timers;
        this.log = log;
    }

    @Override
    public void handle(CtlRequest request, CtlResponse out) throws CtlException {
        switch (request.op()) {
            case "show" -> show(request, out);
            case "set-key" -> setKey(request, out);
            case "reload" -> reload(request, out);
            case "add" -> edits.add(request, out);
            case "remove" -> edits.remove(request, out);
            default -> throw new CtlException(CtlException.ENOSYS, "unknown operation '" + request.op()
                    + "' (show, set-key, reload, add, remove)");
        }
    }

    private void show(CtlRequest request, CtlResponse out) throws CtlException {
        request.allowOnly(Set.of());
        long now = System.nanoTime();
        out.add("device", view.device()).add("pid", ProcessHandle.current().pid())
                .add("sender-id", view.senderId()).add("data-path", view.dataPath());
        counters(out, view.counters(), now);
        out.add("device-read-drops", view.deviceReadDrops());
        for (String r : view.routes()) {
            out.add("route", r);
        }
        SyncClient.State control = view.controlHost();
        if (control != null) {
            upstream(out, "control-host", control, now);
        }
        for (SyncClient.State peer : view.syncPeers()) {
            upstream(out, "sync-peer", peer, now);
        }
        if (view.syncClients() >= 0) {
            out.add("sync-clients", view.syncClients());
        }
        HandshakeStats all = view.handshake();
        if (all != null) {
            // every peer's handshakes, and the datagrams no peer could be named for (a flood, strangers)
            handshakeCounters(out, all);
        }
        for (Connection c : view.table().connections()) {
            SatpSession s = c.session();
            out.add("mux", c.mux());
            InetSocketAddress remote = c.remote();
            out.add("remote", remote == null ? "none" : InetText.format(remote));
            out.add("role", s.localRole().name().toLowerCase(Locale.ROOT));
            out.add("window", s.windowSize());
            int[] senders = s.senderIdsSeen();
            out.add("sender-ids", senders.length == 0 ? "none" : java.util.Arrays.stream(senders)
                    .mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(",")));
            out.add("suite", s.suite());
            out.add("key-source", c.keySource());
            out.add("key-age", (now - c.keyInstalledNanos()) / 1_000_000_000L);
            out.add("previous-key", c.previous() != null ? "accepted" : "none");
            out.add("previous-key-packets", c.previousKeyPackets());
            out.add("next-key", c.next() != null ? "waiting" : "none");
            String key = view.peerKey(c.mux());
            if (key != null) {
                out.add("peer-public-key", key);
            }
            session(out, view.handshake(c.mux()));
            out.add("seq-next", Integer.toUnsignedString(s.nextSeq()));
            SendLease lease = s.lease();
            out.add("seq-reserved", lease == null ? "none" : Long.toString(lease.limit()));
            counters(out, c.counters(), now);
            if (c.paths().length > 1) {
                links(out, c, now);
            }
        }
    }

    /** A control host or cluster peer we connect to: up or down, for how long, and why it is down. */
    private static void upstream(CtlResponse out, String kind, SyncClient.State st, long now) {
        out.add(kind, st.target().toString());
        out.add(kind + "-state", st.up() ? "up" : "down");
        out.add(kind + "-since", (now - st.sinceNanos()) / 1_000_000_000L);
        if (!st.up() && st.problem() != null) {
            out.add(kind + "-problem", st.problem());
        }
    }

    /** An SATP session: latest handshake, suite, key age, PQ, and the handshake counters (never a key). */
    private static void session(CtlResponse out, HandshakeStats h) {
        if (h == null) {
            return;
        }
        long nowMillis = System.currentTimeMillis();
        long last = h.lastHandshakeMillis();
        long created = h.keyCreatedMillis();
        out.add("session", "satp-session");
        out.add("session-suite", h.suite());
        out.add("session-pq", h.postQuantum() ? "on" : "off");
        out.add("latest-handshake", last == 0 ? "never" : Long.toString((nowMillis - last) / 1000));
        out.add("session-key-age", created == 0 ? "none" : Long.toString((nowMillis - created) / 1000));
        handshakeCounters(out, h);
    }

    /** Handshake events, and the failures that happened, by reason. */
    private static void handshakeCounters(CtlResponse out, HandshakeStats h) {
        for (HandshakeStats.Event e : HandshakeStats.Event.values()) {
            out.add("handshake-" + e.name().toLowerCase(Locale.ROOT).replace('_', '-'), h.events(e));
        }
        for (HandshakeStats.Failure f : HandshakeStats.Failure.values()) {
            long n = h.failures(f);
            if (n != 0) {
                out.add("handshake-failure-" + f.name().toLowerCase(Locale.ROOT).replace('_', '-'), n);
            }
        }
    }

    /** RAIL: each link's endpoint, traffic, the copies it brought that another link had delivered, and its gaps. */
    private static void links(CtlResponse out, Connection c, long now) {
        for (Path p : c.paths()) {
            TrafficCounters t = p.counters();
            InetSocketAddress remote = p.remote();
            out.add("link", p.link());
            out.add("link-remote", remote == null ? "none" : InetText.format(remote));
            out.add("link-packets-in", t.packetsIn()).add("link-bytes-in", t.bytesIn())
                    .add("link-packets-out", t.packetsOut()).add("link-bytes-out", t.bytesOut());
            out.add("link-rail-copies", t.drops(DropReason.RAIL_DUPLICATE));
            out.add("link-skipped", p.skipped());
            long last = t.lastReceiveNanos();
            out.add("link-last-receive", last == 0 ? "never" : Long.toString((now - last) / 1_000_000_000L));
        }
    }

    private static void counters(CtlResponse out, TrafficCounters t, long now) {
        out.add("packets-in", t.packetsIn()).add("bytes-in", t.bytesIn())
                .add("packets-out", t.packetsOut()).add("bytes-out", t.bytesOut());
        if (t.keepalivesIn() != 0 || t.keepalivesOut() != 0) {
            out.add("keepalives-in", t.keepalivesIn()).add("keepalives-out", t.keepalivesOut());
        }
        long last = t.lastReceiveNanos();
        out.add("last-receive", last == 0 ? "never" : Long.toString((now - last) / 1_000_000_000L));
        out.add("drops", t.drops());
        for (DropReason r : DropReason.values()) {
            long n = t.drops(r);
            if (n != 0) {
                out.add("drop-" + r.name().toLowerCase(Locale.ROOT).replace('_', '-'), n);
            }
        }
    }

    private void setKey(CtlRequest request, CtlResponse out) throws CtlException {
        request.allowOnly(Set.of("mux", "key", "salt", "passphrase", "kd-prf", "send-after", "grace"));
        int mux = (int) number(request, "mux", -1, 0, 0xFFFF);
        long sendAfter = number(request, "send-after", 0, 0, MAX_SECONDS);
        long grace = number(request, "grace", DEFAULT_GRACE_SECONDS, 0, MAX_SECONDS);
        Connection c = view.table().forMux(mux);
        if (c == null) {
            throw new CtlException(CtlException.ENOENT, "no connection with mux " + mux);
        }
        SatpSession old = c.session();
        if (!(old.suite() instanceof CryptoSuite current)) {
            throw new CtlException(CtlException.EINVAL, "connection " + mux + " does not use the legacy SATP suite");
        }
        CtrAlgorithm kdPrf = current.kdPrf();
        if (request.get("kd-prf").isPresent()) {
            kdPrf = CtrAlgorithm.parse(request.get("kd-prf").get()).orElseThrow(() -> new CtlException(
                    CtlException.EINVAL, "kd-prf: null, aes-ctr, aes-ctr-128, aes-ctr-192 or aes-ctr-256"));
        }
        boolean hasPass = request.get("passphrase").isPresent();
        if (hasPass == (request.get("key").isPresent() || request.get("salt").isPresent())) {
            throw new CtlException(CtlException.EINVAL, "give passphrase=, or key= and salt=");
        }
        byte[] key = hex(request, "key");
        byte[] salt = hex(request, "salt");
        byte[] pass = hex(request, "passphrase");
        CryptoSuite next;
        try {
            if (!hasPass && (key == null || salt == null)) {
                throw new CtlException(CtlException.EINVAL, "key= needs salt= and salt= needs key=");
            }
            next = CryptoSuite.of(current.cipher(), kdPrf, current.auth(), current.tagLength(), key, salt, pass);
        } catch (SuiteException e) {
            throw new CtlException(CtlException.EINVAL, e.input().name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + ": " + e.getMessage());
        } finally {
            wipe(key);
            wipe(salt);
            wipe(pass);
        }
        // the same counter and lease as the current key: no sequence number twice, whatever the key
        SatpSession fresh = old.rekeyed(next);
        c.rotate(fresh, sendAfter == 0, "janytun-ctl");
        if (sendAfter > 0) {
            timers.schedule(() -> c.promote(fresh), sendAfter, TimeUnit.SECONDS);
        }
        timers.schedule(() -> {
            if (c.retirePrevious(old)) {
                log.info("connection mux {}: grace period of the previous key over ({} packets opened under it)",
                        mux, c.previousKeyPackets());
            }
        }, sendAfter + grace, TimeUnit.SECONDS);
        view.keyChanged(mux);
        log.info("connection mux {}: new key installed by janytun-ctl ({}), {}; the previous key is accepted for"
                        + " {} s more", mux, next, sendAfter == 0 ? "sending with it now"
                        : "sending with it once the peer does, or in " + sendAfter + " s", sendAfter + grace);
        out.add("mux", mux).add("send-after", sendAfter).add("grace", grace);
    }

    private void reload(CtlRequest request, CtlResponse out) throws CtlException {
        request.allowOnly(Set.of());
        ReloadPlan plan = view.reload();
        out.add("applied", plan.applied());
        for (String option : plan.needRestart()) {
            out.add("needs-restart", option);
        }
    }

    static long number(CtlRequest r, String key, long dflt, long min, long max) throws CtlException {
        if (r.get(key).isEmpty()) {
            if (dflt < 0) {
                throw new CtlException(CtlException.EINVAL, key + "= is required");
            }
            return dflt;
        }
        long v = Digits.decimal(r.get(key).get(), 10);
        if (v < min || v > max) {
            throw new CtlException(CtlException.EINVAL, key + " must be a number from " + min + " to " + max);
        }
        return v;
    }

    static byte[] hex(CtlRequest r, String key) throws CtlException {
        if (r.get(key).isEmpty()) {
            return null;
        }
        String v = r.get(key).get();
        if (v.length() % 2 != 0 || Digits.firstNonHex(v) >= 0) {
            throw new CtlException(CtlException.EINVAL, key + " must be an even number of hex digits");
        }
        return HexFormat.of().parseHex(v);
    }

    private static void wipe(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
