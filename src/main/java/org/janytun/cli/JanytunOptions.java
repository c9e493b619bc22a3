package org.janytun.cli;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.janytun.config.OperatorSettings;
import org.janytun.config.Secret;
import org.janytun.config.SessionSettings;
import org.janytun.config.RailSettings;
import org.janytun.config.SyncSettings;
import org.janytun.config.TunnelSettings;
import org.janytun.address.AddressFamily;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.config.TunnelSettings.IfConfig;
import org.janytun.route.IpPrefix;
import org.janytun.crypto.Role;
import org.janytun.address.HostPort;
import org.janytun.sync.SyncCodec;
import java.util.OptionalInt;
import org.janytun.session.ReplayProtection;
import org.janytun.text.Digits;
import org.janytun.wire.DeviceType;
import org.janytun.log.LogLevel;
import org.janytun.log.LogTarget;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The janytun command line: the options of anytun(8) / uanytun with the same names, argument syntax and defaults
 * (SPEC §17), plus {@code --config FILE}.
 *
 * <p>Parsing is in two steps. picocli does the syntax (clustered short flags such as {@code -D4}, attached values
 * {@code -p4444}, {@code --port=4444}, the last occurrence of an option wins, {@code -L} accumulates), keeping every
 * value as the raw string. {@link #parse} then checks each value and builds the typed {@link TunnelSettings}. Like
 * the C daemons, an option always takes the next word as its argument, and an argument that begins with {@code -}
 * is rejected (so {@code -r -D} is an error rather than a silently missing host).
 *
 * <p>Differences from the C daemons, all on the side of refusing bad input: numbers must be plain decimal and in
 * range; names of algorithms and roles are case-insensitive; a master key whose size does not match the
 * {@code -k} kd-prf is refused (anytun would run a tunnel in which no packet authenticates); {@code -4} with
 * {@code -6} is refused; RAIL (uanytun trunk's {@code -Y} and port ranges) refuses {@code -w 0}, with which every
 * copy would reach the device.
 * The declarations shared with the other programs are in {@link SharedOptions}.
 */
@Command(name = "janytun", usageHelpAutoWidth = false)
public final class JanytunOptions extends SharedOptions.Connection {
    /** Exit status for usage errors. */
    public static final int EXIT_USAGE = 2;

    // Raw option values, straight from picocli. null (or empty list) = not given.
    @Option(names = "--config") String config;
    @Mixin SharedOptions.Process process = new SharedOptions.Process();


    @Option(names = {"-i", "--interface"}) String localAddress;
    @Option(names = {"-p", "--port"}) String port;
    @Option(names = {"-s", "--sender-id"}) String senderId;

    @Option(names = {"-d", "--dev"}) String dev;
    @Option(names = {"-t", "--type"}) String type;
    @Option(names = {"-n", "--ifconfig"}) String ifconfig;
    @Option(names = {"-x", "--post-up-script"}) String postUpScript;

    @Option(names = {"-c", "--cipher"}) String cipher;
    @Option(names = {"-a", "--auth-algo"}) String authAlgo;
    @Option(names = {"-b", "--auth-tag-length"}) String authTagLength;

    // anytun only (cluster sync, controld, routing), janytun's sync extensions, and uanytun trunk only (RAIL).
    @Option(names = {"-I", "--sync-interface"}) String syncInterface;
    @Option(names = {"-S", "--sync-port"}) String syncPort;
    @Option(names = {"-M", "--sync-hosts"}) String syncHosts;
    @Option(names = "--sync-archive-version") String syncArchiveVersion;
    @Option(names = "--sync-secret-file") String syncSecretFile;
    @Option(names = {"-X", "--control-host"}) String controlHost;
    @Option(names = {"-Y", "--rail-mode"}) boolean railMode;
    @Option(names = "--rail-link") List<String> railLinks = new ArrayList<>();
    @Option(names = "--rail-spread") boolean railSpread;

    // janytun's own: operating the running daemon.
    @Option(names = "--state-dir") String stateDir;
    @Option(names = "--allow-seq-wrap") boolean allowSeqWrap;
    @Option(names = "--control-socket") String controlSocket;
    @Option(names = "--metrics") String metrics;
    @Option(names = "--mtu") String mtu;
    @Option(names = "--keepalive") String keepalive;
    @Mixin SessionOptions sessionOptions = new SessionOptions();
    @Option(names = "--capacity") String capacity;

    private JanytunOptions() {}

    /** The program name for messages and the default syslog ident: the launcher's name, normally "janytun". */
    public static String programName() {
        return org.janytun.config.ProgramName.janytun();
    }

    /** The name a companion tool goes by: the launcher's name for it, or {@code tool} when run without one. */
    public static String programName(String tool) {
        return org.janytun.config.ProgramName.tool(tool);
    }

    /** Parses a janytun command line, naming the program {@link #programName()} in messages and defaults. */
    public static Parsed parse(String[] args) {
        return parse(programName(), args);
    }

    /**
     * Parses a janytun command line: {@code --config FILE} first, then the command line itself, so that options on
     * the command line override those from the file. Never exits and never prints.
     *
     * @param prog the program name, used in the error line and as the default syslog ident / log file name
     */
    public static Parsed parse(String prog, String[] args) {
        try {
            JanytunOptions o = syntax(List.of(args));
            if (o.help) {
                return new Parsed.Help(HelpText.usage(prog));
            }
            if (o.version) {
                return new Parsed.VersionInfo(HelpText.version());
            }
            if (o.config != null) {
                requireString(o.config, "--config");
                List<String> all = new ArrayList<>(ConfigFile.read(Path.of(o.config), JanytunOptions::argumentKind));
                all.addAll(List.of(args));
                JanytunOptions commandLine = o;
                o = syntax(all);
                if (!commandLine.log.isEmpty()) {
                    o.log = commandLine.log; // -L on the command line replaces the file's targets, not adds to them
                }
            }
            return new Parsed.Run(o.validate(prog));
        } catch (UsageException e) {
            return new Parsed.Failure(prog + ": " + oneLine(e.getMessage()), EXIT_USAGE);
        }
    }

    /**
     * The message with control characters (a line break in a quoted value) shown as '?': the error stays one line,
     * and what an option's value holds cannot forge lines in a terminal or a log.
     */
    static String oneLine(String message) {
        StringBuilder b = new StringBuilder(message.length());
        message.codePoints().forEach(c -> b.appendCodePoint(c < 0x20 || c == 0x7F ? '?' : c));
        return b.toString();
    }

    /** Whether long option {@code name} (without dashes) takes a value; null if there is no such option. */
    static ConfigFile.ArgumentKind argumentKind(String name) {
        OptionSpec o = LongOptions.BY_NAME.get("--" + name);
        if (o == null) {
            return null;
        }
        return o.arity().max() == 0 ? ConfigFile.ArgumentKind.NONE : ConfigFile.ArgumentKind.REQUIRED;
    }

    /** The options by long name, for a --config file only: building picocli's model of them costs a start without one. */
    private static final class LongOptions {
        static final Map<String, OptionSpec> BY_NAME = new HashMap<>();

        static {
            for (OptionSpec o : CommandSpec.forAnnotatedObject(new JanytunOptions()).options()) {
                BY_NAME.put(o.longestName(), o);
            }
        }
    }

    /** All option names as {@code -K/--key} (or {@code --config}), in declaration order; for the help test. */
    static List<String> optionNames() {
        return CommandSpec.forAnnotatedObject(new JanytunOptions()).options().stream()
                .map(JanytunOptions::name).toList();
    }

    private static JanytunOptions syntax(List<String> args) throws UsageException {
        JanytunOptions o = new JanytunOptions();
        fill(o, args, "janytun takes no arguments after '--'");
        return o;
    }

    /**
     * Fills the annotated {@code options} (janytun's or a companion tool's) from {@code args} with anytun's rules;
     * values stay raw strings for the program's own checks. Every failure is one {@link UsageException} naming
     * the option. {@code afterDelimiter}: the message for words after {@code --}, or null to report them as
     * stray words.
     */
    static void fill(Object options, List<String> args, String afterDelimiter) throws UsageException {
        CommandLine cl = new CommandLine(options);
        cl.setOverwrittenOptionsAllowed(true);      // the last occurrence wins, as in the C daemons
        cl.setPosixClusteredShortOptionsAllowed(true);
        cl.setAllowOptionsAsOptionParameters(true); // "-r -D": -D is the argument, refused later by its '-'
        cl.setUnmatchedOptionsAllowedAsOptionParameters(true);
        cl.setAbbreviatedOptionsAllowed(false);
        cl.setCaseInsensitiveEnumValuesAllowed(false);
        cl.setTrimQuotes(false);
        cl.setEndOfOptionsDelimiter("--");
        try {
            cl.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.UnmatchedArgumentException e) {
            if (afterDelimiter != null && args.contains("--")) {
                throw new UsageException("command line", afterDelimiter);
            }
            throw unmatched(e.getUnmatched());
        } catch (CommandLine.MissingParameterException e) {
            List<ArgSpec> missing = e.getMissing();
            String which = missing.isEmpty() ? "option" : name(missing.get(0));
            throw new UsageException(which, "requires an argument");
        } catch (ParameterException e) {
            // Every valued option is a plain String, so only a flag given a value ("--nodaemonize=x") gets here.
            ArgSpec spec = e.getArgSpec();
            if (spec instanceof OptionSpec os && os.arity().max() == 0) {
                throw new UsageException(name(os), "takes no argument");
            }
            throw new UsageException(spec == null ? "command line" : name(spec), "invalid use");
        }
    }

    private static UsageException unmatched(List<String> unmatched) {
        String first = unmatched.isEmpty() ? "" : unmatched.get(0);
        if (first.startsWith("--") && first.length() > 2) {
            int eq = first.indexOf('=');
            return new UsageException(eq < 0 ? first : first.substring(0, eq), "unknown option (see --help)");
        }
        if (first.startsWith("-") && first.length() > 1) {
            return new UsageException(first.substring(0, 2), "unknown option (see --help)");
        }
        // A stray word: often the second half of an unquoted value with spaces. Not echoed: it may be a secret.
        return new UsageException("command line", "unexpected argument that belongs to no option"
                + " (a value with spaces must be quoted)");
    }

    /** {@code -K/--key} for an option with a short and a long name, else the name. */
    static String name(ArgSpec spec) {
        if (spec instanceof OptionSpec o) {
            String[] names = o.names();
            return names.length == 1 ? names[0] : o.shortestName() + "/" + o.longestName();
        }
        return "argument";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Validation: raw strings to typed settings.

    private TunnelSettings validate(String prog) throws UsageException {
        List<String> warnings = new ArrayList<>();

        Optional<String> user = string("-u/--username", process.username);
        Optional<String> group = string("-g/--groupname", process.groupname);
        if (group.isPresent() && user.isEmpty()) {
            warnings.add("-g/--groupname is ignored without -u/--username");
        }
        Optional<String> chrootDir = string("-C/--chroot", process.chroot);
        Optional<String> pidFile = string("-P/--write-pid", process.writePid);
        List<LogTarget> targets = logTargets(prog);

        if (ipv4Only && ipv6Only) {
            throw new UsageException("-4/--ipv4-only", "cannot be combined with -6/--ipv6-only");
        }
        AddressFamily family = ipv4Only ? AddressFamily.IPV4
                : ipv6Only ? AddressFamily.IPV6 : AddressFamily.ANY;
        Optional<String> local = string("-i/--interface", localAddress);
        int[] localPorts = portRange("-p/--port", port);
        Optional<String> remote = string("-r/--remote-host", remoteHost);
        int[] remotePorts = portRange("-o/--remote-port", remotePort);
        int localPort = localPorts[0];
        int remotePortNumber = remotePorts[0];

        Optional<String> devName = string("-d/--dev", dev);
        if (devName.isPresent()) {
            checkInterfaceName(devName.get());
        }
        Optional<String> devType = string("-t/--type", type);
        DeviceType deviceType = DeviceType.resolve(devType.orElse(null), devName.orElse(null))
                .orElseThrow(() -> devType.isPresent()
                        ? new UsageException("-t/--type", "unable to recognize type of device (tun or tap) in '"
                                + devType.get() + "'")
                        : new UsageException("-d/--dev", "unable to recognize type of device (tun or tap) from the"
                                + " name '" + devName.orElse("") + "': add -t/--type tun or tap"));
        Optional<IfConfig> ifc = ifconfig == null ? Optional.empty() : Optional.of(ifconfig(ifconfig));
        Optional<String> script = string("-x/--post-up-script", postUpScript);

        int sid = (int) number("-s/--sender-id", senderId, 0, 0xFFFF);
        int muxId = (int) number("-m/--mux", mux, 0, 0xFFFF);
        long window = number("-w/--window-size", windowSize, 0, 0xFFFF_FFFFL);
        if (window > ReplayProtection.MAX_WINDOW) {
            warnings.add("-w/--window-size " + window + " would need " + (window >>> 23) + " MiB per sender id: using "
                    + ReplayProtection.MAX_WINDOW);
            window = ReplayProtection.MAX_WINDOW;
        }
        RailSettings rail = rail(local, localPorts, remote, remotePorts);
        if (rail.enabled() && window == 0) {
            throw new UsageException("-w/--window-size", "RAIL sends every packet on each link and needs the window"
                    + " to remove the copies: give -w 64 or more (uanytun writes every copy to the device with -w 0)");
        }

        int kdBits = keyBits("-k/--kd-prf", kdPrf);
        int cipherBits = keyBits("-c/--cipher", cipher);
        AuthAlgorithm auth = authAlgorithm();
        int tagLength = tagLength(auth, warnings);
        Role r = role();

        Optional<Secret> pass = string("-E/--passphrase", passphrase)
                .map(p -> Secret.of(p.getBytes(StandardCharsets.UTF_8)));
        Optional<Secret> masterKey = hex("-K/--key", key, "must be 32, 48 or 64 hex digits", 32, 48, 64);
        Optional<Secret> masterSalt = hex("-A/--salt", salt, "must be exactly 28 hex digits", 28);
        boolean kdPrfUsed = kdBits != 0 && !(cipherBits == 0 && auth == AuthAlgorithm.NULL);
        if (masterKey.isPresent() && kdPrfUsed && masterKey.get().length() * 8 != kdBits) {
            int bits = masterKey.get().length() * 8;
            throw new UsageException("-K/--key", "a " + bits + "-bit master key does not fit -k/--kd-prf "
                    + TunnelSettings.algorithmName(kdBits) + ", which needs " + kdBits + " bits ("
                    + kdBits / 4 + " hex digits); anytun would start but no packet would authenticate: give a "
                    + kdBits / 4 + "-digit key or -k aes-ctr-" + bits);
        }

        Optional<SessionSettings> session = sessionOptions.settings(legacyKeyOptions(), unsupportedWithSessions(rail),
                Optional.ofNullable(controlHost), muxId, warnings);
        int overheadTag = tagLength; // what the default MTU leaves room for
        if (session.isPresent()) {
            overheadTag = Math.max(tagLength, org.janytun.crypto.AeadAlgorithm.TAG_LENGTH);
            if (!session.get().server()) {
                tagLength = org.janytun.crypto.AeadAlgorithm.TAG_LENGTH;
            } // a server's static-key clients (-X) keep the legacy tag length
        }
        return new TunnelSettings(!(process.nodaemonize || debug), user, group, chrootDir, pidFile, targets, local,
                localPort, remote, remotePortNumber, family, devName, deviceType, ifc, script, sid, muxId, window,
                kdBits, r, pass, masterKey, masterSalt, cipherBits, auth, tagLength, routePrefixes(), control(),
                sync(warnings), rail, operator(ifc, deviceType, overheadTag, warnings), session, warnings);
    }

    /** The static-key options given, which SATP sessions exclude. */
    private List<String> legacyKeyOptions() {
        List<String> given = new ArrayList<>();
        String[][] options = {{"-E/--passphrase", passphrase}, {"-K/--key", key}, {"-A/--salt", salt},
            {"-k/--kd-prf", kdPrf}, {"-c/--cipher", cipher}, {"-a/--auth-algo", authAlgo},
            {"-b/--auth-tag-length", authTagLength}};
        for (String[] o : options) {
            if (o[1] != null) {
                given.add(o[0]);
            }
        }
        return given;
    }

    /** What SATP sessions do not support yet: cluster sync, RAIL (a control host: see SessionOptions). */
    private List<String> unsupportedWithSessions(RailSettings rail) {
        List<String> given = new ArrayList<>();
        if (syncHosts != null || syncPort != null) {
            given.add(syncHosts != null ? "-M/--sync-hosts" : "-S/--sync-port");
        }
        if (rail.enabled()) {
            given.add("RAIL (-Y, port ranges, --rail-link)");
        }
        return given;
    }

    /** {@code -p}/{@code -o}: a port, or (uanytun's RAIL) a range {@code low:high}; {low, high}. */
    private static int[] portRange(String option, String value) throws UsageException {
        if (value == null || value.indexOf(':') < 0) {
            int p = port(option, value);
            return new int[] {p, p};
        }
        int colon = value.indexOf(':');
        int low = port(option, value.substring(0, colon));
        int high = port(option, value.substring(colon + 1));
        if (high < low) {
            throw new UsageException(option, "the range " + value + " ends before it starts");
        }
        if (high - low >= MAX_RAIL_LINKS) {
            throw new UsageException(option, "the range " + value + " has more than " + MAX_RAIL_LINKS + " ports");
        }
        return new int[] {low, high};
    }

    /** At most this many RAIL links: each costs a socket and a copy of every datagram. */
    static final int MAX_RAIL_LINKS = 16;

    /**
     * The RAIL links: uanytun's (one per local port of {@code -p a:b}, remote port i of {@code -o c:d} for link i)
     * or {@code --rail-link}s; none without {@code -Y}, a port range or {@code --rail-link}.
     */
    private RailSettings rail(Optional<String> local, int[] localPorts, Optional<String> remote, int[] remotePorts)
            throws UsageException {
        boolean ranges = localPorts[1] != localPorts[0] || remotePorts[1] != remotePorts[0];
        if (!railLinks.isEmpty()) {
            if (ranges) {
                throw new UsageException("--rail-link", "cannot be combined with port ranges in -p/-o: give each link"
                        + " its ports in --rail-link");
            }
            if (railLinks.size() > MAX_RAIL_LINKS) {
                throw new UsageException("--rail-link", "at most " + MAX_RAIL_LINKS + " links");
            }
            List<RailSettings.Link> links = new ArrayList<>();
            for (String l : railLinks) {
                links.add(railLink(l, localPorts[0], remote, remotePorts[0]));
            }
            return new RailSettings(links, railSpread);
        }
        if (!railMode && !ranges) {
            if (railSpread) {
                throw new UsageException("--rail-spread", "needs RAIL links: -Y with port ranges, or --rail-link");
            }
            return RailSettings.off();
        }
        List<RailSettings.Link> links = new ArrayList<>();
        for (int p = localPorts[0]; p <= localPorts[1]; p++) {
            int i = p - localPorts[0];
            // as uanytun: remote port c+i to link i while the -o range lasts; a link beyond it learns its endpoint
            int remotePort = remotePorts[0] + i <= remotePorts[1] ? remotePorts[0] + i : 0;
            links.add(new RailSettings.Link(local, p, remote, remotePort));
        }
        return new RailSettings(links, railSpread);
    }

    /** {@code --rail-link LOCAL_ADDR[:PORT]=[REMOTE_HOST[:PORT]]}: ports default to -p and -o, the host to -r. */
    private static RailSettings.Link railLink(String spec, int defaultLocalPort, Optional<String> remote,
                                              int defaultRemotePort) throws UsageException {
        requireString(spec, "--rail-link");
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new UsageException("--rail-link", "'" + spec + "': expected LOCAL_ADDR[:PORT]=[REMOTE[:PORT]]");
        }
        try {
            HostPort l = HostPort.parse(spec.substring(0, eq), defaultLocalPort);
            String r = spec.substring(eq + 1);
            if (r.isEmpty()) {
                return new RailSettings.Link(Optional.of(l.host()), l.port(), Optional.empty(), 0);
            }
            HostPort rp = HostPort.parse(r, defaultRemotePort);
            if (l.port() == 0 || rp.port() == 0) {
                throw new IllegalArgumentException("'" + spec + "': the ports must be 1..65535");
            }
            return new RailSettings.Link(Optional.of(l.host()), l.port(),
                    rp.host().isEmpty() ? remote : Optional.of(rp.host()), rp.port());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--rail-link", e.getMessage());
        }
    }

    /** {@code --state-dir} and the other options for operating the daemon. */
    private OperatorSettings operator(Optional<IfConfig> ifc, DeviceType deviceType, int tagLength,
                                      List<String> warnings) throws UsageException {
        Optional<String> state = string("--state-dir", stateDir);
        if (state.isPresent() && !state.get().startsWith("/")) {
            throw new UsageException("--state-dir", "needs an absolute path (the daemon changes its directory)");
        }
        Optional<String> socket = string("--control-socket", controlSocket);
        if (socket.isPresent() && !socket.get().startsWith("/")) {
            throw new UsageException("--control-socket", "needs an absolute path");
        }
        if (socket.isPresent() && socket.get().getBytes(StandardCharsets.UTF_8).length > 107) {
            throw new UsageException("--control-socket", "a Unix socket path has at most 107 bytes");
        }
        return new OperatorSettings(state, allowSeqWrap, socket, metricsEndpoint(),
                mtu(ifc, deviceType, tagLength, warnings), keepaliveSeconds(), capacity());
    }

    /** {@code --keepalive SECONDS}: 0 (none, the default) to 3600. */
    private int keepaliveSeconds() throws UsageException {
        if (keepalive == null) {
            return 0;
        }
        requireString(keepalive, "--keepalive");
        long v = Digits.decimal(keepalive, 5);
        if (v < 0 || v > OperatorSettings.MAX_KEEPALIVE_SECONDS) {
            throw new UsageException("--keepalive", "must be a number of seconds from 0 (none) to "
                    + OperatorSettings.MAX_KEEPALIVE_SECONDS);
        }
        return (int) v;
    }

    /** {@code --capacity}: 1 to 65,536 connections (the mux is 16 bits); bin/launch sizes the heap by it. */
    private int capacity() throws UsageException {
        if (capacity == null) {
            return OperatorSettings.DEFAULT_CAPACITY;
        }
        requireString(capacity, "--capacity");
        long v = Digits.decimal(capacity, 6);
        if (v < 1 || v > OperatorSettings.DEFAULT_CAPACITY) {
            throw new UsageException("--capacity", "must be a number of connections from 1 to "
                    + OperatorSettings.DEFAULT_CAPACITY + " (a mux is 16 bits)");
        }
        return (int) v;
    }

    /**
     * {@code --mtu}: at least 68 (1280 for an IPv6 {@code -n}), at most what fits one 1600-byte datagram with this
     * tag (an Ethernet header less on tap), so that the device never hands janytun a packet it must drop.
     */
    private int mtu(Optional<IfConfig> ifc, DeviceType deviceType, int tagLength, List<String> warnings)
            throws UsageException {
        if (mtu == null) {
            return OperatorSettings.DEFAULT_MTU;
        }
        requireString(mtu, "--mtu");
        if (ifc.isEmpty()) {
            warnings.add("--mtu is ignored without -n/--ifconfig (janytun sets the MTU when it configures the device)");
        }
        int max = org.janytun.wire.SatpLayout.maxInnerLength(tagLength) - (deviceType == DeviceType.TAP ? 14 : 0);
        int min = ifc.isPresent() && ifc.get().address() instanceof Inet6Address ? 1280 : 68;
        long v = Digits.decimal(mtu, 5);
        if (v < min || v > max) {
            throw new UsageException("--mtu", "must be a number from " + min + " to " + max + " (the largest inner "
                    + (deviceType == DeviceType.TAP ? "frame" : "packet") + " a 1600-byte datagram carries with a "
                    + tagLength + "-byte tag)");
        }
        return (int) v;
    }

    /** {@code --metrics PORT} (on 127.0.0.1) or {@code --metrics ADDR:PORT}. */
    private Optional<HostPort> metricsEndpoint() throws UsageException {
        Optional<String> m = string("--metrics", metrics);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        String v = m.get();
        HostPort hp;
        try {
            hp = Digits.decimal(v, 5) >= 0 ? new HostPort("127.0.0.1", (int) Digits.decimal(v, 5))
                    : HostPort.parse(v, 0);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--metrics", e.getMessage());
        }
        if (hp.host().isEmpty() || hp.port() < 1 || hp.port() > 65535) {
            throw new UsageException("--metrics", "give a port from 1 to 65535, or address:port ([address]:port for"
                    + " IPv6)");
        }
        return Optional.of(hp);
    }

    /** {@code -R net/len}, any number of times; any prefix length is fine (the reference hangs on some). */
    private List<IpPrefix> routePrefixes() throws UsageException {
        List<IpPrefix> out = new ArrayList<>();
        for (String r : routes) {
            requireString(r, "-R/--route");
            try {
                out.add(IpPrefix.parse(r));
            } catch (IllegalArgumentException e) {
                throw new UsageException("-R/--route", e.getMessage());
            }
        }
        return out;
    }

    /** {@code -S}, {@code -I}, {@code -M} and the sync extensions. */
    private SyncSettings sync(List<String> warnings) throws UsageException {
        OptionalInt listen = syncPort == null ? OptionalInt.empty() : OptionalInt.of(port("-S/--sync-port", syncPort));
        Optional<String> bind = string("-I/--sync-interface", syncInterface);
        if (bind.isPresent() && listen.isEmpty()) {
            warnings.add("-I/--sync-interface is ignored without -S/--sync-port");
        }
        List<HostPort> peers = new ArrayList<>();
        if (syncHosts != null) {
            requireString(syncHosts, "-M/--sync-hosts");
            for (String h : syncHosts.split(",", -1)) {
                HostPort hp;
                try {
                    hp = HostPort.parse(h.strip(), DEFAULT_CONTROL_PORT);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("-M/--sync-hosts", e.getMessage());
                }
                if (hp.host().isEmpty() || hp.port() == 0) {
                    throw new UsageException("-M/--sync-hosts", "each entry needs a host, and a port from 1 to"
                            + " 65535 if one is given: host[:port],host[:port],...");
                }
                peers.add(hp);
            }
        }
        int version = syncArchiveVersion == null ? SyncCodec.DEFAULT_ARCHIVE_VERSION
                : (int) number("--sync-archive-version", syncArchiveVersion, 1, 0xFFFF);
        Optional<String> secret = string("--sync-secret-file", syncSecretFile);
        if ((secret.isPresent() || syncArchiveVersion != null) && listen.isEmpty() && peers.isEmpty()) {
            warnings.add((secret.isPresent() ? "--sync-secret-file" : "--sync-archive-version")
                    + " is ignored without -S/--sync-port or -M/--sync-hosts");
        }
        return new SyncSettings(listen, bind, peers, version, secret);
    }

    /** {@code -X host[:port]}; the control daemon's port defaults to 2323 as with anytun. */
    private Optional<HostPort> control() throws UsageException {
        if (controlHost == null) {
            return Optional.empty();
        }
        requireString(controlHost, "-X/--control-host");
        HostPort hp;
        try {
            hp = HostPort.parse(controlHost, DEFAULT_CONTROL_PORT);
        } catch (IllegalArgumentException e) {
            throw new UsageException("-X/--control-host", e.getMessage());
        }
        if (hp.host().isEmpty() || hp.port() == 0) {
            throw new UsageException("-X/--control-host", "needs a host and a port from 1 to 65535");
        }
        return Optional.of(hp);
    }

    /** anytun's default port for {@code -X} and {@code -M}. */
    public static final int DEFAULT_CONTROL_PORT = 2323;

    /** A string argument: not empty, and (as in both C parsers) not beginning with '-'. Echoes nothing. */
    private static void requireString(String value, String option) throws UsageException {
        if (value.isEmpty()) {
            throw new UsageException(option, "requires a non-empty argument");
        }
        if (value.startsWith("-")) {
            throw new UsageException(option, "argument must not begin with '-' (is an argument missing?)");
        }
    }

    private static Optional<String> string(String option, String value) throws UsageException {
        if (value == null) {
            return Optional.empty();
        }
        requireString(value, option);
        return Optional.of(value);
    }

    private List<LogTarget> logTargets(String prog) throws UsageException {
        List<LogTarget> targets;
        for (String spec : log) {
            requireString(spec, "-L/--log");
        }
        try {
            targets = new ArrayList<>(LogTarget.parseAll(log, prog));
        } catch (IllegalArgumentException e) {
            throw new UsageException("-L/--log", e.getMessage());
        }
        if (debug) {
            // -U: everything to stdout. An explicit stdout target is raised to debug rather than doubled.
            int i = indexOfStdout(targets);
            if (i >= 0) {
                targets.set(i, new LogTarget.Stdout(LogLevel.DEBUG));
            } else {
                targets.add(new LogTarget.Stdout(LogLevel.DEBUG));
            }
        }
        if (targets.isEmpty()) {
            targets.add(LogTarget.defaultTarget(prog));
        }
        return targets;
    }

    private static int indexOfStdout(List<LogTarget> targets) {
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i) instanceof LogTarget.Stdout) {
                return i;
            }
        }
        return -1;
    }

    /** An unsigned decimal number in [min, max]; {@code null} gives the default. */
    private static long number(String option, String value, long min, long max) throws UsageException {
        if (value == null) {
            return defaultOf(option);
        }
        return ToolOptions.number(option, value, min, max, 0);
    }

    private static long defaultOf(String option) {
        return switch (option) {
            case "-p/--port", "-o/--remote-port" -> TunnelSettings.DEFAULT_PORT;
            case "-b/--auth-tag-length" -> TunnelSettings.DEFAULT_AUTH_TAG_LENGTH;
            default -> 0;
        };
    }

    private static int port(String option, String value) throws UsageException {
        return (int) number(option, value, 1, 65535);
    }

    /** Linux interface names: 1..15 bytes (IFNAMSIZ - 1), no '/', no white space, not "." or "..". */
    private static void checkInterfaceName(String name) throws UsageException {
        if (name.getBytes(StandardCharsets.UTF_8).length > 15) {
            throw new UsageException("-d/--dev", "interface names have at most 15 characters: '" + name + "'");
        }
        if (name.equals(".") || name.equals("..") || name.contains("/") || name.contains(":")
                || name.chars().anyMatch(Character::isWhitespace)) {
            throw new UsageException("-d/--dev", "'" + name + "' is not a valid interface name");
        }
    }

    /** {@code -n address/prefix}: a dotted-quad IPv4 address with /0..32, or (janytun) an IPv6 one with /0..128. */
    static IfConfig ifconfig(String value) throws UsageException {
        String option = "-n/--ifconfig";
        requireString(value, option);
        int slash = value.lastIndexOf('/');
        String usage = "expected <address>/<prefix length>, e.g. 192.168.123.1/30, got '" + value + "'";
        if (slash <= 0 || slash == value.length() - 1) {
            throw new UsageException(option, usage);
        }
        String addr = value.substring(0, slash);
        String prefix = value.substring(slash + 1);
        InetAddress address;
        if (addr.contains(":")) {
            try {
                address = Inet6Address.ofLiteral(addr);
            } catch (IllegalArgumentException e) {
                throw new UsageException(option, "'" + addr + "' is not an IPv6 address");
            }
        } else {
            address = dottedQuad(addr).orElseThrow(() -> new UsageException(option,
                    "'" + addr + "' is not an IPv4 address in dotted-quad form (a.b.c.d)"));
        }
        int max = address instanceof Inet4Address ? 32 : 128;
        int length = (int) Digits.decimal(prefix, 3);
        if (length < 0 || length > max) {
            throw new UsageException(option, "the prefix length must be a number from 0 to " + max + ", got '"
                    + prefix + "'");
        }
        return new IfConfig(address, length);
    }

    /** Strict a.b.c.d with decimal parts 0..255 and no leading zeros (inet_aton would read "010" as octal). */
    private static Optional<InetAddress> dottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            int v = (int) Digits.decimal(p, 3);
            if (v < 0 || (p.length() > 1 && p.charAt(0) == '0')) {
                return Optional.empty();
            }
            if (v > 255) {
                return Optional.empty();
            }
            b[i] = (byte) v;
        }
        try {
            return Optional.of(InetAddress.getByAddress(b));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** {@code -k} and {@code -c}: null, aes-ctr (128 bits), aes-ctr-128, aes-ctr-192, aes-ctr-256. */
    private static int keyBits(String option, String value) throws UsageException {
        if (value == null) {
            return 128;
        }
        requireString(value, option);
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "null" -> 0;
            case "aes-ctr", "aes-ctr-128" -> 128;
            case "aes-ctr-192" -> 192;
            case "aes-ctr-256" -> 256;
            default -> throw new UsageException(option, "unknown algorithm '" + value
                    + "' (use null, aes-ctr, aes-ctr-128, aes-ctr-192 or aes-ctr-256)");
        };
    }

    private AuthAlgorithm authAlgorithm() throws UsageException {
        if (authAlgo == null) {
            return AuthAlgorithm.SHA1;
        }
        requireString(authAlgo, "-a/--auth-algo");
        return switch (authAlgo.toLowerCase(Locale.ROOT)) {
            case "null" -> AuthAlgorithm.NULL;
            case "sha1" -> AuthAlgorithm.SHA1;
            default -> throw new UsageException("-a/--auth-algo", "unknown algorithm '" + authAlgo
                    + "' (use null or sha1)");
        };
    }

    /** SPEC §7.3 step 3: 0 for null auth, at most 20 for sha1 (with a warning when clamped). */
    private int tagLength(AuthAlgorithm auth, List<String> warnings) throws UsageException {
        long n = number("-b/--auth-tag-length", authTagLength, 0, 0xFFFF_FFFFL);
        if (auth == AuthAlgorithm.NULL) {
            return 0;
        }
        if (n > TunnelSettings.MAX_AUTH_TAG_LENGTH) {
            warnings.add("-b/--auth-tag-length " + n + " is longer than an HMAC-SHA1 tag: using "
                    + TunnelSettings.MAX_AUTH_TAG_LENGTH + " bytes");
            return TunnelSettings.MAX_AUTH_TAG_LENGTH;
        }
        return (int) n;
    }

    private Role role() throws UsageException {
        if (role == null) {
            return Role.LEFT;
        }
        requireString(role, "-e/--role");
        return switch (role.toLowerCase(Locale.ROOT)) {
            case "left", "alice", "server" -> Role.LEFT;
            case "right", "bob", "client" -> Role.RIGHT;
            default -> throw new UsageException("-e/--role", "unknown role '" + role
                    + "' (use left, alice or server for one end; right, bob or client for the other)");
        };
    }

    /** Hex of one of the allowed digit counts, as bytes. The message names lengths and positions, never content. */
    private static Optional<Secret> hex(String option, String value, String rule, int... digitCounts)
            throws UsageException {
        if (value == null) {
            return Optional.empty();
        }
        requireString(value, option);
        boolean lengthOk = false;
        for (int d : digitCounts) {
            lengthOk |= value.length() == d;
        }
        if (!lengthOk) {
            throw new UsageException(option, rule + " (got " + value.length() + " characters)");
        }
        int bad = Digits.firstNonHex(value);
        if (bad >= 0) {
            throw new UsageException(option, rule + " (character " + (bad + 1) + " is not a hex digit)");
        }
        byte[] bytes = HexFormat.of().parseHex(value.toLowerCase(Locale.ROOT));
        try {
            return Optional.of(Secret.of(bytes));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
