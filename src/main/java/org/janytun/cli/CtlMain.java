package org.janytun.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.janytun.text.Digits;
import org.janytun.config.OperatorSettings;
import org.janytun.ctl.CtlClient;
import org.janytun.ctl.CtlRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/janytun-ctl}: talks to running janytun daemons through their control sockets.
 * <pre>
 *   janytun-ctl [-s PATH] show [DEV] [--json]
 *   janytun-ctl [-s PATH] set-key DEV mux=N (passphrase-file=F | key=HEX salt=HEX) [kd-prf=P] [send-after=S] [grace=S]
 *   janytun-ctl [-s PATH | --pid PID] reload [DEV]
 *   janytun-ctl [-s PATH] add DEV mux=N (passphrase-file=F | key=HEX salt=HEX) [role=R] [window=W] [kd-prf=P]
 *                                 [remote=ADDR:PORT] [routes=PREFIX,...]
 *   janytun-ctl [-s PATH] add DEV route=PREFIX mux=N
 *   janytun-ctl [-s PATH] add DEV public-key=KEY mux=N [routes=PREFIX,...] [psk-file=F]
 *   janytun-ctl [-s PATH] remove DEV (mux=N | route=PREFIX)
 * </pre>
 */
public final class CtlMain {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private CtlMain() {}

    @Command(name = "janytun-ctl")
    static final class Options extends SharedOptions.Help {
        @Option(names = {"-s", "--socket"}) String socket;
        @Option(names = "--json") boolean json;
        @Option(names = "--pid") String pid;
        @Parameters List<String> words = new ArrayList<>();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static String usage(String prog) {
        return """
                Usage: %1$s [-s <socket>] show [<dev>] [--json]
                       %1$s [-s <socket>] set-key <dev> mux=<n> (passphrase-file=<file> | key=<hex> salt=<hex>)
                                  [kd-prf=<prf>] [send-after=<seconds>] [grace=<seconds>]
                       %1$s [-s <socket> | --pid <pid>] reload [<dev>]
                       %1$s [-s <socket>] add <dev> mux=<n> (passphrase-file=<file> | key=<hex> salt=<hex>)
                                  [role=left|right] [window=<packets>] [kd-prf=<prf>] [remote=<addr>:<port>]
                                  [routes=<prefix>,...]
                       %1$s [-s <socket>] add <dev> route=<prefix> mux=<n>
                       %1$s [-s <socket>] add <dev> public-key=<key> mux=<n> [routes=<prefix>,...]
                                  [psk-file=<file>]
                       %1$s [-s <socket>] remove <dev> (mux=<n> | route=<prefix>)
                Shows and changes running janytun daemons through their control sockets
                (/run/janytun/<dev>.ctl, or the daemon's --control-socket).

                  show [<dev>]         state and counters of every connection (all daemons without <dev>)
                      --json           the same as JSON, for scripts
                  set-key <dev> ...    install a new master key and salt for connection mux=<n> without
                                       dropping the tunnel; packets under the previous key are still taken
                                       for grace=<seconds> (default 120); with send-after=<seconds> the new
                                       key is used for sending only once the peer uses it, or after that time
                  reload [<dev>]       re-read the configuration (command line and --config file): a new key,
                                       remote, -R routes, --keepalive and a server's --peers file apply at
                                       once; other changes are named and wait for a restart
                  add <dev> ...        a server or cluster node: add a connection (as janytun-config describes
                                       one), or a route to one; kept until removed, told to cluster peers;
                                       with public-key=, an SATP-session peer of a server started with --peers
                  remove <dev> ...     remove a connection (and its routes), or a route
                      --pid <pid>      reload the janytun with this process id (systemd's $MAINPID)
                  -s, --socket <path>  the control socket to use (default: from <dev>)
                  -h, --help           print this help and exit
                  -v, --version        print the version and exit
                Exit status: 0 success, 1 the daemon refused or could not be reached, 2 command-line error.
                """.formatted(prog);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String prog = JanytunOptions.programName("janytun-ctl");
        Options o = new Options();
        List<Target> targets;
        CtlRequest request;
        try {
            JanytunOptions.fill(o, List.of(args), null);
            if (o.answered(prog, () -> usage(prog), out)) {
                return 0;
            }
            if (o.words.isEmpty()) {
                throw new UsageException("command", "give show or set-key (see --help)");
            }
            String cmd = o.words.getFirst();
            List<String> rest = o.words.subList(1, o.words.size());
            switch (cmd) {
                case "show" -> {
                    if (rest.size() > 1) {
                        throw new UsageException("show", "takes at most one device name");
                    }
                    targets = targets(o.socket, rest.isEmpty() ? null : rest.getFirst());
                    request = new CtlRequest("show", Map.of());
                }
                case "set-key" -> {
                    noJson(o);
                    if (rest.isEmpty()) {
                        throw new UsageException("set-key", "needs the device name first");
                    }
                    targets = targets(o.socket, rest.getFirst());
                    request = new CtlRequest("set-key", setKeyParams(rest.subList(1, rest.size())));
                }
                case "reload" -> {
                    noJson(o);
                    if (rest.size() > 1) {
                        throw new UsageException("reload", "takes at most one device name");
                    }
                    if (o.pid != null) {
                        targets = List.of(byPid(o.pid));
                    } else {
                        if (rest.isEmpty() && o.socket == null) {
                            throw new UsageException("reload", "needs the device name, -s/--socket or --pid");
                        }
                        targets = targets(o.socket, rest.isEmpty() ? null : rest.getFirst());
                    }
                    request = new CtlRequest("reload", Map.of());
                }
                case "add", "remove" -> {
                    noJson(o);
                    if (rest.isEmpty()) {
                        throw new UsageException(cmd, "needs the device name first");
                    }
                    targets = targets(o.socket, rest.getFirst());
                    request = new CtlRequest(cmd, tableParams(cmd, rest.subList(1, rest.size())));
                }
                default -> throw new UsageException("command", "unknown command '" + cmd
                        + "' (show, set-key, reload, add, remove)");
            }
        } catch (UsageException e) {
            err.println(prog + ": " + JanytunOptions.oneLine(e.getMessage()));
            return JanytunOptions.EXIT_USAGE;
        }
        int status = 0;
        List<Map<String, Object>> shown = new ArrayList<>();
        for (Target t : targets) {
            CtlClient.Answer a;
            try {
                a = CtlClient.call(t.socket, request, TIMEOUT);
            } catch (IOException e) {
                if (t.listed && refused(e)) {
                    // a socket left behind by a daemon that could not remove it (after -C) or was killed
                    err.println(prog + ": " + t.label + ": not running (stale socket " + t.socket + ")");
                    continue;
                }
                err.println(prog + ": " + t.label + ": " + reason(t.socket, e));
                status = 1;
                continue;
            }
            if (a.errno() != 0) {
                err.println(prog + ": " + t.label + ": " + a.message() + " (errno " + a.errno() + ")");
                status = 1;
                continue;
            }
            if (request.op().equals("show")) {
                Map<String, Object> device = structure(a.lines());
                if (o.json) {
                    shown.add(device);
                } else {
                    printShow(device, out);
                }
            } else {
                out.println(t.label + ": " + String.join(", ", a.lines()));
            }
        }
        if (o.json) {
            out.println(Json.write(shown));
        }
        return status;
    }

    private static void noJson(Options o) throws UsageException {
        if (o.json) {
            throw new UsageException("--json", "only applies to show");
        }
    }

    /** The daemon whose show answer says {@code pid=PID}, among this namespace's sockets. */
    private static Target byPid(String pid) throws UsageException {
        if (Digits.decimal(pid, 10) <= 0) {
            throw new UsageException("--pid", "'" + pid + "' is not a process id");
        }
        List<Target> all;
        try {
            all = targets(null, null);
        } catch (UsageException e) {
            throw new UsageException("--pid", "no janytun control socket in " + SOCKET_DIR);
        }
        for (Target t : all) {
            try {
                CtlClient.Answer a = CtlClient.call(t.socket, new CtlRequest("show", Map.of()), TIMEOUT);
                if (a.errno() == 0 && a.lines().contains("pid=" + pid)) {
                    return t;
                }
            } catch (IOException e) {
                // a stale socket: not the one
            }
        }
        throw new UsageException("--pid", "no janytun with process id " + pid + " has a control socket in "
                + SOCKET_DIR);
    }

    /** add and remove: {@code key=value} words; {@code passphrase-file=F} is read here and sent as hex. */
    private static Map<String, String> tableParams(String cmd, List<String> words) throws UsageException {
        Map<String, String> p = new LinkedHashMap<>();
        Set<String> allowed = cmd.equals("remove") ? Set.of("mux", "route")
                : Set.of("mux", "key", "salt", "role", "window", "kd-prf", "remote", "routes", "route", "public-key");
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(cmd, "arguments are key=value (see --help)");
            }
            String k = w.substring(0, eq);
            String v = w.substring(eq + 1);
            if (k.equals("passphrase-file") && cmd.equals("add")) {
                p.put("passphrase", passphraseHex(v));
            } else if (k.equals("psk-file") && cmd.equals("add")) {
                p.put("psk", pskHex(v));
            } else if (allowed.contains(k)) {
                if (p.put(k, v) != null) {
                    throw new UsageException(cmd, "'" + k + "' given twice");
                }
            } else {
                throw new UsageException(cmd, "unknown argument '" + k + "' (see --help)");
            }
        }
        return p;
    }

    /** {@code listed}: found in the socket directory rather than named on the command line. */
    private record Target(String label, Path socket, boolean listed) {}

    private static boolean refused(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("Connection refused");
    }

    /** Where this namespace's daemons have their sockets: /run/janytun, or /run/janytun/netns/NAME in a named one. */
    private static final String SOCKET_DIR = OperatorSettings.socketDir(org.janytun.os.NetNamespace.currentName());

    /** The socket of {@code dev} (or {@code -s}); without either, every socket in /run/janytun. */
    private static List<Target> targets(String socket, String dev) throws UsageException {
        if (socket != null) {
            ToolOptions.string("-s/--socket", socket);
            return List.of(new Target(dev != null ? dev : socket, Path.of(socket), false));
        }
        if (dev != null) {
            if (dev.isEmpty() || dev.contains("/") || dev.startsWith(".") || dev.length() > 15) {
                throw new UsageException("device", "'" + dev + "' is not an interface name");
            }
            return List.of(new Target(dev, Path.of(SOCKET_DIR, dev + ".ctl"), false));
        }
        List<Target> all = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of(SOCKET_DIR), "*.ctl")) {
            for (Path p : d) {
                String name = p.getFileName().toString();
                all.add(new Target(name.substring(0, name.length() - 4), p, true));
            }
        } catch (IOException e) {
            // no directory: no daemon
        }
        if (all.isEmpty()) {
            throw new UsageException("show", "no janytun control socket in " + SOCKET_DIR
                    + " (is janytun running? see -s/--socket)");
        }
        all.sort((x, y) -> x.label.compareTo(y.label));
        return all;
    }

    /** {@code mux=N}, {@code passphrase-file=F} (read here, sent as hex), {@code key=}, {@code salt=}, ... */
    private static Map<String, String> setKeyParams(List<String> words) throws UsageException {
        Map<String, String> p = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("set-key", "arguments are key=value (see --help)");
            }
            String k = w.substring(0, eq);
            String v = w.substring(eq + 1);
            switch (k) {
                case "mux", "key", "salt", "kd-prf", "send-after", "grace" -> p.put(k, v);
                case "passphrase-file" -> p.put("passphrase", passphraseHex(v));
                default -> throw new UsageException("set-key", "unknown argument '" + k + "' (mux, passphrase-file,"
                        + " key, salt, kd-prf, send-after, grace)");
            }
        }
        if (!p.containsKey("mux")) {
            throw new UsageException("set-key", "needs mux=<n>");
        }
        return p;
    }

    /** A pre-shared key file ({@code janytun-key genpsk}'s: base64 of 32 bytes), as hex. */
    private static String pskHex(String file) throws UsageException {
        // read as the daemon reads --psk-file (size cap, format, error lines); its permission warning is the
        // daemon's business, not this command's
        org.janytun.config.Secret psk = SessionOptions.keyFile("psk-file", file, new ArrayList<>());
        byte[] key = psk.bytes();
        try {
            return java.util.HexFormat.of().formatHex(key);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
            psk.destroy();
        }
    }

    /** The passphrase in {@code file}: its first line, as hex of its UTF-8 bytes. */
    private static String passphraseHex(String file) throws UsageException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new UsageException("passphrase-file", "cannot read " + file + ": " + e.getMessage());
        }
        try {
            int n = 0;
            while (n < raw.length && raw[n] != '\n' && raw[n] != '\r') {
                n++;
            }
            if (n == 0) {
                throw new UsageException("passphrase-file", file + " holds no passphrase on its first line");
            }
            if (n > 256) {
                throw new UsageException("passphrase-file", "the passphrase is longer than 256 bytes");
            }
            return HexFormat.of().formatHex(raw, 0, n);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static String reason(Path socket, IOException e) {
        if (e instanceof NoSuchFileException || (e.getMessage() != null && e.getMessage().contains("No such file"))) {
            return "no control socket " + socket + " (is janytun running on that device?)";
        }
        if (e.getMessage() != null && e.getMessage().contains("Permission denied")) {
            return "permission denied on " + socket + " (run as root)";
        }
        return socket + ": " + e.getMessage();
    }

    /**
     * The answer's lines as a device: its own keys, then {@code connections} (a new one at each {@code mux=}) and
     * {@code routes}; values that are whole numbers become numbers.
     */
    static Map<String, Object> structure(List<String> lines) {
        Map<String, Object> device = new LinkedHashMap<>();
        List<Map<String, Object>> connections = new ArrayList<>();
        List<String> routes = new ArrayList<>();
        Map<String, Object> current = device;
        Map<String, Object> link = null;
        List<Map<String, Object>> upstreams = new ArrayList<>();
        Map<String, Object> upstream = null;
        String upstreamKind = null;
        for (String l : lines) {
            int eq = l.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = l.substring(0, eq);
            String v = l.substring(eq + 1);
            if (k.equals("mux")) {
                current = new LinkedHashMap<>();
                connections.add(current);
                link = null;
            }
            if (k.equals("link")) {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> links = (List<Map<String, Object>>) current.computeIfAbsent("links",
                        x -> new ArrayList<Map<String, Object>>());
                link = new LinkedHashMap<>();
                links.add(link);
            }
            if (k.startsWith("link") && link != null) {
                link.put(k.equals("link") ? "link" : k.substring(5), v.matches("-?[0-9]{1,18}") ? Long.parseLong(v) : v);
                continue;
            }
            if (k.equals("route")) {
                routes.add(v);
                continue;
            }
            if (k.equals("control-host") || k.equals("sync-peer")) {
                upstream = new LinkedHashMap<>();
                upstream.put("kind", k);
                upstream.put("target", v);
                upstreams.add(upstream);
                upstreamKind = k + "-";
                continue;
            }
            if (upstream != null && k.startsWith(upstreamKind)) {
                String f = k.substring(upstreamKind.length());
                upstream.put(f, v.matches("-?[0-9]{1,18}") ? Long.parseLong(v) : v);
                continue;
            }
            Object value = v.matches("-?[0-9]{1,18}") ? (Object) Long.parseLong(v) : v;
            if (k.startsWith("drop-")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> drops = (Map<String, Object>) current.computeIfAbsent("drops-by-reason",
                        x -> new LinkedHashMap<String, Object>());
                drops.put(k.substring(5), value);
            } else {
                current.put(k, value);
            }
        }
        device.put("routes", routes);
        device.put("upstreams", upstreams);
        device.put("connections", connections);
        return device;
    }

    @SuppressWarnings("unchecked")
    private static void printShow(Map<String, Object> d, PrintStream out) {
        out.println("device: " + d.get("device") + " (pid " + d.get("pid") + ", sender id " + d.get("sender-id") + ")");
        out.println("  data path: " + d.get("data-path"));
        out.println("  transfer: " + transfer(d));
        for (String r : (List<String>) d.get("routes")) {
            int gt = r.lastIndexOf('>');
            out.println("  route: " + r.substring(0, gt) + " -> mux " + r.substring(gt + 1));
        }
        for (Map<String, Object> u : (List<Map<String, Object>>) d.get("upstreams")) {
            out.println("  " + u.get("kind") + ": " + u.get("target") + " " + u.get("state") + " for " + u.get("since")
                    + " s" + (u.get("problem") == null ? "" : " (" + u.get("problem") + ")"));
        }
        if (d.get("sync-clients") != null) {
            out.println("  cluster peers connected to our sync port: " + d.get("sync-clients"));
        }
        for (Map<String, Object> c : (List<Map<String, Object>>) d.get("connections")) {
            out.println();
            out.println("connection: mux " + c.get("mux"));
            out.println("  remote: " + c.get("remote"));
            out.println("  role: " + c.get("role") + ", window " + c.get("window") + ", " + c.get("suite")
                    + "; sender ids heard: " + c.get("sender-ids"));
            out.println("  key: from " + c.get("key-source") + ", " + c.get("key-age") + " s old; previous key "
                    + c.get("previous-key") + " (" + c.get("previous-key-packets") + " packets opened under it)"
                    + ("waiting".equals(c.get("next-key")) ? "; a new key waits for the peer" : ""));
            if (c.get("session") != null) {
                Object hs = c.get("latest-handshake");
                out.println("  SATP session: " + c.get("session-suite") + ", post-quantum " + c.get("session-pq")
                        + "; latest handshake " + ("never".equals(hs) ? "never" : hs + " s ago") + "; key pair "
                        + ("none".equals(c.get("session-key-age")) ? "none" : c.get("session-key-age") + " s old"));
                out.println("  handshakes: " + c.get("handshake-completed-as-initiator") + " as initiator, "
                        + c.get("handshake-completed-as-responder") + " as responder, " + c.get("handshake-rekey")
                        + " re-keys; " + c.get("handshake-initiation-sent") + " initiations, "
                        + c.get("handshake-cookie-reply-sent") + " cookie replies sent");
            }
            out.println("  sequence: next " + c.get("seq-next") + ", reserved below " + c.get("seq-reserved"));
            Object last = c.get("last-receive");
            out.println("  last packet received: " + ("never".equals(last) ? "never" : last + " s ago"));
            out.println("  transfer: " + transfer(c));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> links = (List<Map<String, Object>>) c.get("links");
            if (links != null) {
                for (Map<String, Object> l : links) {
                    out.println("  link " + l.get("link") + ": " + linkLine(l));
                }
            }
        }
        out.println();
    }

    /** One RAIL link: endpoint, traffic, copies, and the loss its sequence gaps show. */
    private static String linkLine(Map<String, Object> l) {
        long in = ((Number) l.get("packets-in")).longValue();
        long copies = ((Number) l.get("rail-copies")).longValue();
        long skipped = ((Number) l.get("skipped")).longValue();
        long seen = in + copies + skipped;
        Object last = l.get("last-receive");
        return "remote " + l.get("remote") + ", " + in + " packets first in, " + copies + " copies after another"
                + " link, " + l.get("packets-out") + " packets out; " + skipped + " missing"
                + (seen == 0 ? "" : String.format(java.util.Locale.ROOT, " (%.1f %% loss)", 100.0 * skipped / seen))
                + "; last packet " + ("never".equals(last) ? "never" : last + " s ago");
    }

    @SuppressWarnings("unchecked")
    private static String transfer(Map<String, Object> m) {
        StringBuilder b = new StringBuilder();
        b.append(m.get("packets-in")).append(" packets (").append(m.get("bytes-in")).append(" bytes) in, ")
                .append(m.get("packets-out")).append(" packets (").append(m.get("bytes-out")).append(" bytes) out, ")
                .append(m.get("drops")).append(" dropped");
        Map<String, Object> drops = (Map<String, Object>) m.get("drops-by-reason");
        if (drops != null) {
            StringBuilder r = new StringBuilder();
            drops.forEach((k, v) -> r.append(r.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
            b.append(" (").append(r).append(')');
        }
        return b.toString();
    }

    /** A minimal JSON writer for maps, lists, strings and numbers. */
    static final class Json {
        private Json() {}

        static String write(Object o) {
            StringBuilder b = new StringBuilder();
            write(o, b);
            return b.toString();
        }

        private static void write(Object o, StringBuilder b) {
            switch (o) {
                case Map<?, ?> m -> {
                    b.append('{');
                    boolean first = true;
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        b.append(first ? "" : ",");
                        first = false;
                        string(String.valueOf(e.getKey()), b);
                        b.append(':');
                        write(e.getValue(), b);
                    }
                    b.append('}');
                }
                case List<?> l -> {
                    b.append('[');
                    for (int i = 0; i < l.size(); i++) {
                        b.append(i == 0 ? "" : ",");
                        write(l.get(i), b);
                    }
                    b.append(']');
                }
                case Long n -> b.append(n);
                default -> string(String.valueOf(o), b);
            }
        }

        private static void string(String s, StringBuilder b) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            b.append('"');
        }
    }
}
