package org.janytun.daemon;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.janytun.config.TunnelSettings;
import org.janytun.crypto.CryptoSuite;

/**
 * What a re-read configuration ({@code janytun-ctl reload}, SIGHUP) changes in a running daemon. Four things take
 * effect at once: the local connection's key ({@code -K}/{@code -A}/{@code -E}/{@code -k}, and on a point-to-point
 * tunnel {@code -c}/{@code -a}/{@code -b}), rotated with a grace period for the previous key as {@code set-key}
 * does; the remote endpoint ({@code -r}/{@code -o}); the local routes ({@code -R}); and {@code --keepalive}.
 * Everything else was opened or decided at start (the device, the sockets, the chroot, the sequence lease, ...):
 * a change there is named, not applied, and the daemon runs on as it is.
 *
 * @param key         the local connection gets the new suite
 * @param remote      the local connection's endpoint moves to the new {@code -r}/{@code -o}
 * @param routes      the {@code -R} routes change
 * @param keepalive   {@code --keepalive} changes
 * @param needRestart the options whose change waits for a restart, as they are written on the command line
 * @param peers       what a server's re-read {@code --peers} file changed, or null
 */
record ReloadPlan(boolean key, boolean remote, boolean routes, boolean keepalive, List<String> needRestart,
                  String peers) {
    ReloadPlan {
        needRestart = List.copyOf(needRestart);
    }

    /** The same plan, and what a server's re-read {@code --peers} file changed ({@code peers: 1 added, ...}). */
    ReloadPlan withPeers(String summary) {
        return new ReloadPlan(key, remote, routes, keepalive, needRestart, summary);
    }

    /** What takes effect now, for the answer and the log: "key, remote", or "nothing". */
    String applied() {
        List<String> a = new ArrayList<>();
        if (key) {
            a.add("key");
        }
        if (remote) {
            a.add("remote");
        }
        if (routes) {
            a.add("routes");
        }
        if (keepalive) {
            a.add("keepalive");
        }
        if (peers != null) {
            a.add(peers);
        }
        return a.isEmpty() ? "nothing" : String.join(",", a);
    }

    /**
     * @param started     the settings the daemon started with (what needs a restart is compared with these)
     * @param applied     the settings of the last reload, or {@code started} (what applies live is compared with
     *                    these)
     * @param suite       the local connection's suite now, or null (a server without its own connection)
     * @param next        the re-read settings
     * @param nextSuite   their suite, or null
     * @param server      whether connections come from a control host or cluster peers, which share the process's
     *                    cipher, auth algorithm and tag length
     * @param sessionChanged whether the SATP-session options changed (compared by
     *                    {@link org.janytun.config.SessionSettings#fingerprint}: the started keys are wiped)
     */
    static ReloadPlan between(TunnelSettings started, TunnelSettings applied, CryptoSuite suite, TunnelSettings next,
                              CryptoSuite nextSuite, boolean server, boolean sessionChanged) {
        List<String> restart = new ArrayList<>();
        check(restart, started, next, "-u/--username", TunnelSettings::username);
        check(restart, started, next, "-g/--groupname", TunnelSettings::groupname);
        check(restart, started, next, "-C/--chroot", TunnelSettings::chroot);
        check(restart, started, next, "-P/--write-pid", TunnelSettings::pidFile);
        check(restart, started, next, "-L/--log", TunnelSettings::logTargets);
        check(restart, started, next, "-i/--interface", TunnelSettings::localAddress);
        check(restart, started, next, "-p/--port", TunnelSettings::localPort);
        check(restart, started, next, "-4/-6", TunnelSettings::addressFamily);
        check(restart, started, next, "-d/--dev", TunnelSettings::deviceName);
        check(restart, started, next, "-t/--type", TunnelSettings::deviceType);
        check(restart, started, next, "-n/--ifconfig", TunnelSettings::ifconfig);
        check(restart, started, next, "-x/--post-up-script", TunnelSettings::postUpScript);
        check(restart, started, next, "-s/--sender-id", TunnelSettings::senderId);
        check(restart, started, next, "-m/--mux", TunnelSettings::mux);
        check(restart, started, next, "-w/--window-size", TunnelSettings::windowSize);
        check(restart, started, next, "-e/--role", TunnelSettings::role);
        check(restart, started, next, "-X/--control-host", TunnelSettings::controlHost);
        check(restart, started, next, "-S/-I/-M/--sync-*", TunnelSettings::sync);
        check(restart, started, next, "-Y/--rail-*", TunnelSettings::rail);
        check(restart, started, next, "--state-dir", s -> s.operator().stateDir());
        check(restart, started, next, "--allow-seq-wrap", s -> s.operator().allowSeqWrap());
        check(restart, started, next, "--control-socket", s -> s.operator().controlSocket());
        check(restart, started, next, "--metrics", s -> s.operator().metrics());
        check(restart, started, next, "--mtu", s -> s.operator().mtu());
        if (sessionChanged) {
            restart.add("--private-key/--peer-public-key/--psk-file/--peers/--suite/--no-pq/--rekey-after");
        }
        boolean key = false;
        if ((suite == null) != (nextSuite == null)) {
            restart.add("-K/-A/-E (the server's own connection comes or goes)");
        } else if (suite != null && !sameKey(suite, nextSuite)) {
            boolean algorithms = suite.cipher() != nextSuite.cipher() || suite.auth() != nextSuite.auth()
                    || suite.tagLength() != nextSuite.tagLength();
            if (server && algorithms) {
                restart.add("-c/-a/-b (shared by every connection of a server)");
            } else {
                key = true;
            }
        }
        boolean remote = !next.rail().enabled() && next.remoteHost().isPresent()
                && (!Objects.equals(applied.remoteHost(), next.remoteHost())
                        || applied.remotePort() != next.remotePort());
        boolean routes = !applied.routes().equals(next.routes());
        boolean keepalive = applied.operator().keepaliveSeconds() != next.operator().keepaliveSeconds();
        return new ReloadPlan(key, remote, routes, keepalive, restart, null);
    }

    private static void check(List<String> restart, TunnelSettings a, TunnelSettings b, String option,
                              Function<TunnelSettings, Object> field) {
        if (!Objects.equals(field.apply(a), field.apply(b))) {
            restart.add(option);
        }
    }

    /** Same algorithms, key and salt (compared in constant time). */
    private static boolean sameKey(CryptoSuite a, CryptoSuite b) {
        return a.cipher() == b.cipher() && a.kdPrf() == b.kdPrf() && a.auth() == b.auth()
                && a.tagLength() == b.tagLength() && MessageDigest.isEqual(a.masterKey(), b.masterKey())
                && MessageDigest.isEqual(a.masterSalt(), b.masterSalt());
    }
}
