package org.janytun.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import org.janytun.route.IpPrefix;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.Role;
import org.janytun.wire.DeviceType;
import org.janytun.address.AddressFamily;
import org.janytun.address.HostPort;
import org.janytun.log.LogTarget;

/**
 * The checked janytun command line (anytun(8) options, SPEC §17.1), with every default filled in. Produced by
 * {@code org.janytun.cli.JanytunOptions.parse}; nothing here has been resolved or opened yet (host names, users, files).
 *
 * <p>Not applied here, because they belong to the crypto core: the key/salt/passphrase precedence (SPEC §4.1) and
 * the kd-prf post-processing of SPEC §7.3 steps 1-2 ({@code -c null -a null} makes the kd-prf null; a null kd-prf
 * with encryption or authentication deserves a warning). Steps 3 (tag length) and 4 (device type) are applied.
 *
 * <p>Secrets are {@link Secret}s, which never print their content; {@link #toString()} is safe to log.
 *
 * @param daemonize      false with {@code -D} or {@code -U}
 * @param username       {@code -u}: user to switch to after start-up; empty: keep the privileges
 * @param groupname      {@code -g}: group to switch to; only used together with a username
 * @param chroot         {@code -C}: directory to chroot into
 * @param pidFile        {@code -P}: file to write the process id to
 * @param logTargets     {@code -L} targets in order, with {@code -U}'s stdout:5 and the default
 *                       {@code syslog:3,<prog>,daemon} applied; never empty
 * @param localAddress   {@code -i}: address (or host name) to bind to; empty: every address
 * @param localPort      {@code -p}: local UDP port, 1..65535, default 4444
 * @param remoteHost     {@code -r}: initial remote host or address; empty: learn it from the first packet
 * @param remotePort     {@code -o}: remote UDP port, 1..65535, default 4444
 * @param addressFamily  {@code -4}/{@code -6}: which address families to resolve and bind
 * @param deviceName     {@code -d}: interface name; empty: the kernel picks tunN/tapN
 * @param deviceType     {@code -t}, else from the {@code -d} prefix, else tun
 * @param ifconfig       {@code -n}: address and prefix for the device; empty: leave the device unconfigured
 * @param postUpScript   {@code -x}: executable to run with the device name once the device exists
 * @param senderId       {@code -s}: 0..65535, default 0
 * @param mux            {@code -m}: 0..65535, default 0
 * @param windowSize     {@code -w}: replay window, 0..4294967295, default 0 (replay protection off)
 * @param kdPrfKeyBits   {@code -k}: master key size of the AES-CTR key derivation: 0 (null), 128, 192 or 256;
 *                       default 128 ({@code aes-ctr})
 * @param role           {@code -e}: default LEFT
 * @param passphrase     {@code -E}: the passphrase as UTF-8 bytes; empty if not given
 * @param masterKey      {@code -K}: 16, 24 or 32 bytes; empty if not given. When given with a non-null kd-prf, its
 *                       size matches {@code kdPrfKeyBits} (unless cipher and auth are both null)
 * @param masterSalt     {@code -A}: exactly 14 bytes; empty if not given
 * @param cipherKeyBits  {@code -c}: 0 (null), 128, 192 or 256; default 128 ({@code aes-ctr})
 * @param authAlgorithm  {@code -a}: default SHA1
 * @param authTagLength  {@code -b}: bytes of HMAC-SHA1 kept (the rightmost ones), 0..20; default 10; 0 for null auth
 * @param routes         {@code -R}: prefixes routed to this process's own {@code -m} connection (used when routing is on)
 * @param controlHost    {@code -X}: the control daemon to take connections and routes from (default port 2323)
 * @param sync           {@code -S}, {@code -I}, {@code -M}: cluster sync
 * @param rail           {@code -Y}, port ranges in {@code -p}/{@code -o}, {@code --rail-link}: RAIL links (empty: off)
 * @param operator       janytun's options for operating the running daemon (state directory, ...)
 * @param session        {@code --private-key} and the other SATP-session options: keys from a handshake instead of
 *                       {@code -E/-K/-A}; empty: static-key SATP
 * @param warnings       things the caller should log at warning level once logging is set up
 */
public record TunnelSettings(
        boolean daemonize,
        Optional<String> username,
        Optional<String> groupname,
        Optional<String> chroot,
        Optional<String> pidFile,
        List<LogTarget> logTargets,
        Optional<String> localAddress,
        int localPort,
        Optional<String> remoteHost,
        int remotePort,
        AddressFamily addressFamily,
        Optional<String> deviceName,
        DeviceType deviceType,
        Optional<IfConfig> ifconfig,
        Optional<String> postUpScript,
        int senderId,
        int mux,
        long windowSize,
        int kdPrfKeyBits,
        Role role,
        Optional<Secret> passphrase,
        Optional<Secret> masterKey,
        Optional<Secret> masterSalt,
        int cipherKeyBits,
        AuthAlgorithm authAlgorithm,
        int authTagLength,
        List<IpPrefix> routes,
        Optional<HostPort> controlHost,
        SyncSettings sync,
        RailSettings rail,
        OperatorSettings operator,
        Optional<SessionSettings> session,
        List<String> warnings) {

    /** anytun's default local and remote port. */
    public static final int DEFAULT_PORT = 4444;
    /** The default tag length with HMAC-SHA1. */
    public static final int DEFAULT_AUTH_TAG_LENGTH = 10;
    /** The longest tag HMAC-SHA1 gives. */
    public static final int MAX_AUTH_TAG_LENGTH = 20;




    /**
     * {@code -n address/prefix}: the device's local address and the prefix length of the tunnel network.
     * anytun takes IPv4 only (prefix 0..32); janytun also takes an IPv6 address with a prefix of 0..128.
     */
    public record IfConfig(InetAddress address, int prefixLength) {
        public IfConfig {
            Objects.requireNonNull(address);
            int max = address instanceof Inet4Address ? 32 : 128;
            if (prefixLength < 0 || prefixLength > max) {
                throw new IllegalArgumentException("prefix length must be 0.." + max + ": " + prefixLength);
            }
        }

        /** The IPv4 netmask in dotted form ({@code 255.255.255.252} for /30); only for IPv4 addresses. */
        public String netmask() {
            if (!(address instanceof Inet4Address)) {
                throw new IllegalStateException("an IPv6 prefix has no dotted netmask");
            }
            long mask = prefixLength == 0 ? 0 : (0xFFFFFFFFL << (32 - prefixLength)) & 0xFFFFFFFFL;
            return (mask >>> 24) + "." + ((mask >>> 16) & 0xFF) + "." + ((mask >>> 8) & 0xFF) + "." + (mask & 0xFF);
        }

        @Override
        public String toString() {
            return address.getHostAddress() + "/" + prefixLength;
        }
    }

    public TunnelSettings {
        Objects.requireNonNull(username);
        Objects.requireNonNull(groupname);
        Objects.requireNonNull(chroot);
        Objects.requireNonNull(pidFile);
        logTargets = List.copyOf(logTargets);
        routes = List.copyOf(routes);
        Objects.requireNonNull(controlHost);
        Objects.requireNonNull(sync);
        Objects.requireNonNull(rail);
        Objects.requireNonNull(operator);
        Objects.requireNonNull(localAddress);
        Objects.requireNonNull(remoteHost);
        Objects.requireNonNull(addressFamily);
        Objects.requireNonNull(deviceName);
        Objects.requireNonNull(deviceType);
        Objects.requireNonNull(ifconfig);
        Objects.requireNonNull(postUpScript);
        Objects.requireNonNull(role);
        Objects.requireNonNull(passphrase);
        Objects.requireNonNull(masterKey);
        Objects.requireNonNull(masterSalt);
        Objects.requireNonNull(authAlgorithm);
        warnings = List.copyOf(warnings);
    }

    /** The name of a key size as {@code -k}/{@code -c} take it: {@code null} or {@code aes-ctr-128} etc. */
    public static String algorithmName(int keyBits) {
        return keyBits == 0 ? "null" : "aes-ctr-" + keyBits;
    }

    /** All settings on one line, secrets shown only as their length. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "TunnelSettings[", "]");
        j.add("daemonize=" + daemonize);
        opt(j, "username", username);
        opt(j, "groupname", groupname);
        opt(j, "chroot", chroot);
        opt(j, "pidFile", pidFile);
        j.add("logTargets=" + logTargets.stream().map(LogTarget::spec).toList());
        opt(j, "localAddress", localAddress);
        j.add("localPort=" + localPort);
        opt(j, "remoteHost", remoteHost);
        j.add("remotePort=" + remotePort);
        j.add("addressFamily=" + addressFamily);
        opt(j, "deviceName", deviceName);
        j.add("deviceType=" + deviceType);
        opt(j, "ifconfig", ifconfig);
        opt(j, "postUpScript", postUpScript);
        j.add("senderId=" + senderId);
        j.add("mux=" + mux);
        j.add("windowSize=" + windowSize);
        j.add("kdPrf=" + algorithmName(kdPrfKeyBits));
        j.add("role=" + role);
        opt(j, "passphrase", passphrase);
        opt(j, "masterKey", masterKey);
        opt(j, "masterSalt", masterSalt);
        j.add("cipher=" + algorithmName(cipherKeyBits));
        j.add("authAlgorithm=" + authAlgorithm);
        j.add("authTagLength=" + authTagLength);
        if (!routes.isEmpty()) {
            j.add("routes=" + routes);
        }
        opt(j, "controlHost", controlHost);
        if (sync.enabled()) {
            j.add(sync.toString());
        }
        if (rail.enabled()) {
            j.add("rail=" + rail.links());
        }
        j.add(operator.toString());
        session.ifPresent(x -> j.add(x.toString()));
        if (!warnings.isEmpty()) {
            j.add("warnings=" + warnings);
        }
        return j.toString();
    }

    private static void opt(StringJoiner j, String name, Optional<?> value) {
        value.ifPresent(v -> j.add(name + "=" + v));
    }
}
