package org.janytun.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The command-line description of one tunnel end, common to all {@link Kind}s (anytun(8) options). Unset
 * options are left out, so the program's default applies. Fluent setters; {@link #copy()} for variants.
 */
public final class EndpointSpec {
    /** Outer address family restriction: none, {@code -4} or {@code -6}. */
    public enum Family { ANY, V4, V6 }

    private String role;
    private String key;
    private String salt;
    private String passphrase;
    private String cipher;
    private String kdPrf;
    private String authAlgo;
    private Integer tagLength;
    private Integer mux;
    private Integer senderId;
    private Integer window;
    private String devName;
    private String devType;
    private String ifconfig;
    private String localAddr;
    private Integer localPort;
    /** {@code -p} as text (a RAIL range {@code low:high}); replaces {@link #localPort} in the arguments. */
    private String localPorts;
    private String remotePorts;
    private String remoteHost;
    private Integer remotePort;
    private Family family = Family.ANY;
    private final List<String> extra = new ArrayList<>();

    public EndpointSpec copy() {
        EndpointSpec c = new EndpointSpec();
        c.role = role;
        c.key = key;
        c.salt = salt;
        c.passphrase = passphrase;
        c.cipher = cipher;
        c.kdPrf = kdPrf;
        c.authAlgo = authAlgo;
        c.tagLength = tagLength;
        c.mux = mux;
        c.senderId = senderId;
        c.window = window;
        c.devName = devName;
        c.devType = devType;
        c.ifconfig = ifconfig;
        c.localAddr = localAddr;
        c.localPort = localPort;
        c.remoteHost = remoteHost;
        c.remotePort = remotePort;
        c.localPorts = localPorts;
        c.remotePorts = remotePorts;
        c.family = family;
        c.extra.addAll(extra);
        return c;
    }

    /** {@code -e}: left/alice/server or right/bob/client; null = program default (left). */
    public EndpointSpec role(String v) { role = v; return this; }
    /** {@code -K} master key (hex). */
    public EndpointSpec key(String v) { key = v; return this; }
    /** {@code -A} master salt (hex, 28 digits). */
    public EndpointSpec salt(String v) { salt = v; return this; }
    /** {@code -E} passphrase. */
    public EndpointSpec passphrase(String v) { passphrase = v; return this; }
    /** {@code -c} cipher. */
    public EndpointSpec cipher(String v) { cipher = v; return this; }
    /** {@code -k} key derivation PRF. */
    public EndpointSpec kdPrf(String v) { kdPrf = v; return this; }
    /** {@code -a} auth algorithm. */
    public EndpointSpec authAlgo(String v) { authAlgo = v; return this; }
    /** {@code -b} auth tag length. */
    public EndpointSpec tagLength(Integer v) { tagLength = v; return this; }
    /** {@code -m} mux. */
    public EndpointSpec mux(Integer v) { mux = v; return this; }
    /** {@code -s} sender id. */
    public EndpointSpec senderId(Integer v) { senderId = v; return this; }
    /** {@code -w} replay window size. */
    public EndpointSpec window(Integer v) { window = v; return this; }
    /** {@code -d} device name. */
    public EndpointSpec devName(String v) { devName = v; return this; }
    /** {@code -t} device type (tun or tap). */
    public EndpointSpec devType(String v) { devType = v; return this; }
    /** {@code -n} address/prefix for the device (IPv4). */
    public EndpointSpec ifconfig(String v) { ifconfig = v; return this; }
    /** {@code -i} local address. */
    public EndpointSpec localAddr(String v) { localAddr = v; return this; }
    /** {@code -p} local port; null = 4444. */
    public EndpointSpec localPort(Integer v) { localPort = v; return this; }
    /** {@code -r} remote host; null = learn the remote from the first valid packet. */
    public EndpointSpec remoteHost(String v) { remoteHost = v; return this; }
    /** {@code -o} remote port; null = 4444. */
    public EndpointSpec remotePort(Integer v) { remotePort = v; return this; }

    /** {@code -p low:high} (RAIL): one socket per port; the first is the one awaited. */
    public EndpointSpec localPorts(String v) { localPorts = v; return this; }

    /** {@code -o low:high} (RAIL). */
    public EndpointSpec remotePorts(String v) { remotePorts = v; return this; }
    /** {@code -4} / {@code -6}. */
    public EndpointSpec family(Family v) { family = v; return this; }
    /** Further arguments, appended verbatim. */
    public EndpointSpec extra(String... args) { extra.addAll(List.of(args)); return this; }

    public String role() { return role; }
    public String devName() { return devName; }
    public String devType() { return devType; }
    public String ifconfig() { return ifconfig; }
    public Integer localPort() { return localPort; }
    public String remoteHost() { return remoteHost; }
    public Integer remotePort() { return remotePort; }
    public Integer window() { return window; }
    public Family family() { return family; }

    /** The UDP port the end listens on (4444 unless {@code -p}). */
    public int effectiveLocalPort() {
        if (localPorts != null) {
            return Integer.parseInt(localPorts.split(":")[0]);
        }
        return localPort == null ? 4444 : localPort;
    }

    /** True for tap devices ({@code -t tap}, or a {@code tap*} name without {@code -t}). */
    public boolean isTap() {
        return devType != null ? devType.startsWith("tap") : devName != null && devName.startsWith("tap");
    }

    /** The IPv4 address part of {@code -n}, or null. */
    public String ifconfigAddress() {
        return ifconfig == null ? null : ifconfig.substring(0, ifconfig.indexOf('/'));
    }

    /** The options as an argument list (without the program and logging prefix, see {@link Kind#launcher()}). */
    public List<String> toArgs() {
        List<String> a = new ArrayList<>();
        opt(a, "-e", role);
        opt(a, "-K", key);
        opt(a, "-A", salt);
        opt(a, "-E", passphrase);
        opt(a, "-c", cipher);
        opt(a, "-k", kdPrf);
        opt(a, "-a", authAlgo);
        opt(a, "-b", tagLength);
        opt(a, "-m", mux);
        opt(a, "-s", senderId);
        opt(a, "-w", window);
        opt(a, "-d", devName);
        opt(a, "-t", devType);
        opt(a, "-n", ifconfig);
        opt(a, "-i", localAddr);
        opt(a, "-p", localPorts != null ? localPorts : localPort);
        opt(a, "-r", remoteHost);
        opt(a, "-o", remotePorts != null ? remotePorts : remotePort);
        if (family == Family.V4) {
            a.add("-4");
        } else if (family == Family.V6) {
            a.add("-6");
        }
        a.addAll(extra);
        return a;
    }

    private static void opt(List<String> a, String flag, Object value) {
        if (value != null) {
            a.add(flag);
            a.add(value.toString());
        }
    }

    @Override
    public String toString() {
        return String.join(" ", toArgs());
    }
}
