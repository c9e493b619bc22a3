package org.janytun.daemon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Locale;
import java.util.Set;
import org.janytun.address.HostPort;
import org.janytun.address.InetText;
import org.janytun.config.KeyText;
import org.janytun.config.Secret;
import org.janytun.config.SessionPeerSettings;
import org.janytun.connection.ConnectionRegistry;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Role;
import org.janytun.crypto.SuiteException;
import org.janytun.ctl.CtlException;
import org.janytun.ctl.CtlRequest;
import org.janytun.ctl.CtlResponse;
import org.janytun.handshake.SessionEndpoint;
import org.janytun.route.IpPrefix;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncRecord;
import org.janytun.text.Digits;

/**
 * {@code janytun-ctl add} and {@code remove} on a server or cluster node: a connection or route, as a control host
 * would serve it ({@code janytun-config}'s fields), kept until removed. A served control table does not remove
 * what the operator added; cluster peers are told of an added connection or route, as of any change (the sync
 * protocol has no removal: a peer keeps what it was told, as anytun does).
 */
final class TableEdits {
    /** What the edits need of the daemon. */
    interface Target {
        /** The server's or cluster node's table, or null on a point-to-point tunnel. */
        ConnectionRegistry registry();

        /** Tells the cluster peers (if any) of these records. */
        void announce(List<SyncRecord> records);

        /** A server's SATP-session peers, or null (no {@code --peers}). */
        SessionEndpoint sessions();
    }

    private final Target target;

    TableEdits(Target target) {
        this.target = target;
    }

    /**
     * {@code add}: a connection ({@code mux=}, {@code passphrase=} or {@code key=}+{@code salt=}, optional
     * {@code role=}, {@code window=}, {@code kd-prf=}, {@code remote=}, {@code routes=}), or a route to an existing
     * connection ({@code route=} and {@code mux=}), or an SATP-session peer ({@code public-key=}, {@code mux=},
     * optional {@code routes=} and {@code psk=}).
     */
    void add(CtlRequest request, CtlResponse out) throws CtlException {
        if (request.get("public-key").isPresent()) {
            addSessionPeer(request, out);
            return;
        }
        request.allowOnly(Set.of("mux", "key", "salt", "passphrase", "kd-prf", "role", "window", "remote", "routes",
                "route"));
        ConnectionRegistry registry = registry();
        int mux = (int) DaemonControl.number(request, "mux", -1, 0, 0xFFFF);
        if (request.get("route").isPresent()) {
            for (String k : List.of("key", "salt", "passphrase", "kd-prf", "role", "window", "remote", "routes")) {
                if (request.get(k).isPresent()) {
                    throw new CtlException(CtlException.EINVAL, "add route= takes only mux= ('" + k + "' is for a"
                            + " connection)");
                }
            }
            if (registry.table().forMux(mux) == null) {
                throw new CtlException(CtlException.ENOENT, "no connection with mux " + mux);
            }
            RouteRecord r = route(request.get("route").get(), mux);
            registry.addRouteByOperator(r);
            target.announce(List.of(r));
            out.add("mux", mux).add("route", r.prefix());
            return;
        }
        ConnectionRecord record = connection(request, mux);
        List<RouteRecord> routes = new ArrayList<>();
        if (request.get("routes").isPresent()) {
            for (String p : request.get("routes").get().split(",", -1)) {
                routes.add(route(p, mux));
            }
        }
        List<String> problems = new ArrayList<>();
        if (!registry.addByOperator(record, problems::add)) {
            throw new CtlException(CtlException.EINVAL, String.join("; ", problems));
        }
        routes.forEach(registry::addRouteByOperator);
        List<SyncRecord> told = new ArrayList<>();
        told.add(registry.record(mux));
        told.addAll(routes);
        target.announce(told);
        out.add("mux", mux).add("routes", routes.size());
    }

    /**
     * {@code add public-key=K mux=N [routes=P,...] [psk=HEX]} on a server of SATP sessions ({@code --peers}): a
     * peer kept until removed (a reload of the peers file keeps it). janytun-ctl reads {@code psk-file=} and sends
     * it as {@code psk=}.
     */
    private void addSessionPeer(CtlRequest request, CtlResponse out) throws CtlException {
        request.allowOnly(Set.of("public-key", "mux", "routes", "psk"));
        SessionEndpoint sessions = target.sessions();
        if (sessions == null) {
            throw new CtlException(CtlException.EINVAL, "public-key= adds an SATP-session peer: this janytun serves"
                    + " none (start it with --private-key and --peers FILE)");
        }
        Map<String, String> words = new HashMap<>();
        for (String k : List.of("public-key", "mux", "routes")) {
            request.get(k).ifPresent(v -> words.put(k, v));
        }
        byte[] psk = DaemonControl.hex(request, "psk");
        SessionPeerSettings peer;
        try {
            if (psk != null && psk.length != KeyText.KEY_BYTES) {
                throw new IllegalArgumentException("psk: a pre-shared key has 32 bytes (janytun-key genpsk)");
            }
            peer = SessionPeerSettings.fromWords(words,
                    psk == null ? Optional.empty() : Optional.of(Secret.of(psk)));
        } catch (IllegalArgumentException e) {
            throw new CtlException(CtlException.EINVAL, e.getMessage());
        } finally {
            if (psk != null) {
                Arrays.fill(psk, (byte) 0);
            }
        }
        try {
            sessions.add(peer, null, true);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CtlException(CtlException.EINVAL, e.getMessage());
        } finally {
            peer.psk().ifPresent(Secret::destroy);
        }
        out.add("mux", peer.mux()).add("public-key", peer.publicKeyText()).add("routes", peer.routes().size());
    }

    /** {@code remove}: connection {@code mux=} (with its routes), or the route {@code route=}. */
    void remove(CtlRequest request, CtlResponse out) throws CtlException {
        request.allowOnly(Set.of("mux", "route"));
        ConnectionRegistry registry = registry();
        if (request.get("route").isPresent() == request.get("mux").isPresent()) {
            throw new CtlException(CtlException.EINVAL, "give mux= (a connection) or route= (a route)");
        }
        if (request.get("route").isPresent()) {
            IpPrefix p = prefix(request.get("route").get());
            if (!registry.removeRoute(p)) {
                throw new CtlException(CtlException.ENOENT, "no route " + p);
            }
            out.add("route", p);
            return;
        }
        int mux = (int) DaemonControl.number(request, "mux", -1, 0, 0xFFFF);
        SessionEndpoint sessions = target.sessions();
        if (sessions != null && sessions.peerKey(mux) != null) {
            sessions.remove(mux);
            out.add("mux", mux);
            return;
        }
        String refused = registry.remove(mux);
        if (refused != null) {
            throw new CtlException(refused.startsWith("no ") ? CtlException.ENOENT : CtlException.EINVAL, refused);
        }
        out.add("mux", mux);
    }

    private ConnectionRegistry registry() throws CtlException {
        ConnectionRegistry r = target.registry();
        if (r == null) {
            throw new CtlException(CtlException.EINVAL, "a point-to-point tunnel has its one connection: add and"
                    + " remove need a server or cluster node (-X, -S or -M); change this one with set-key or reload");
        }
        return r;
    }

    /** The connection record the request describes, as janytun-config would write it. */
    private static ConnectionRecord connection(CtlRequest request, int mux) throws CtlException {
        CtrAlgorithm kd = CtrAlgorithm.AES_CTR_128;
        if (request.get("kd-prf").isPresent()) {
            kd = CtrAlgorithm.parse(request.get("kd-prf").get()).orElseThrow(() -> new CtlException(
                    CtlException.EINVAL, "kd-prf: null, aes-ctr, aes-ctr-128, aes-ctr-192 or aes-ctr-256"));
        }
        Role role = Role.LEFT;
        if (request.get("role").isPresent()) {
            role = Role.parse(request.get("role").get()).orElseThrow(() -> new CtlException(CtlException.EINVAL,
                    "role: left (alice, server) or right (bob, client)"));
        }
        long window = DaemonControl.number(request, "window", 0, 0, 0xFFFF_FFFFL);
        String host = ConnectionRecord.UNSET_HOST;
        int port = 0;
        if (request.get("remote").isPresent()) {
            HostPort hp;
            try {
                hp = HostPort.parse(request.get("remote").get(), 0);
            } catch (IllegalArgumentException e) {
                throw new CtlException(CtlException.EINVAL, "remote: " + e.getMessage());
            }
            if (hp.port() == 0 || !InetText.isLiteral(hp.host())) {
                throw new CtlException(CtlException.EINVAL, "remote: an IP address and port (address:port,"
                        + " [v6]:port)");
            }
            host = hp.host();
            port = hp.port();
        }
        if (kd == CtrAlgorithm.NULL) {
            return new ConnectionRecord(mux, role, 0, new byte[0], new byte[0], window, 0, host, port);
        }
        boolean hasPass = request.get("passphrase").isPresent();
        if (hasPass == (request.get("key").isPresent() || request.get("salt").isPresent())) {
            throw new CtlException(CtlException.EINVAL, "give passphrase=, or key= and salt=");
        }
        byte[] key = DaemonControl.hex(request, "key");
        byte[] salt = DaemonControl.hex(request, "salt");
        byte[] pass = DaemonControl.hex(request, "passphrase");
        byte[] k = null;
        byte[] s = null;
        try {
            if (!hasPass && (key == null || salt == null)) {
                throw new CtlException(CtlException.EINVAL, "key= needs salt= and salt= needs key=");
            }
            if (key != null && key.length != kd.keyBytes()) {
                throw new CtlException(CtlException.EINVAL, "key: " + kd.optionName() + " needs " + kd.keyBits()
                        + " bits");
            }
            // any non-null cipher and auth keep the kd-prf as given: only the master key and salt are wanted
            CryptoSuite suite = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, kd, AuthAlgorithm.SHA1,
                    CryptoSuite.DEFAULT_TAG_LENGTH, key, salt, pass);
            k = suite.masterKey();
            s = suite.masterSalt();
            return new ConnectionRecord(mux, role, kd.keyBits(), s, k, window, 0, host, port);
        } catch (SuiteException e) {
            throw new CtlException(CtlException.EINVAL, e.input().name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CtlException(CtlException.EINVAL, e.getMessage());
        } finally {
            for (byte[] b : new byte[][] {key, salt, pass, k, s}) {
                if (b != null) {
                    Arrays.fill(b, (byte) 0);
                }
            }
        }
    }

    private static RouteRecord route(String prefix, int mux) throws CtlException {
        IpPrefix p = prefix(prefix);
        return new RouteRecord(p.address(), p.length(), mux);
    }

    private static IpPrefix prefix(String text) throws CtlException {
        try {
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CtlException(CtlException.EINVAL, "route: '" + text + "' is not an address/length prefix");
        }
    }
}
