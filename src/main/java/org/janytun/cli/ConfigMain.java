package org.janytun.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.janytun.cli.ToolOptions;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Hex;
import org.janytun.crypto.Role;
import org.janytun.log.LogLevel;
import org.janytun.log.LogSetup;
import org.janytun.log.LogTarget;
import org.janytun.os.ArgvScrubber;
import org.janytun.address.InetText;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/janytun-config}: writes the table lines that anytun-controld (or janytun-controld) serves, with the
 * options of Debian's anytun-config 0.3.8: one {@code connection} frame for {@code -m}, then one {@code route}
 * frame per {@code -R} in command-line order, each on its own line. For valid arguments stdout is byte for byte
 * what anytun-config prints (SYNC.md §2.1).
 *
 * <p><b>Many records in one call</b> (a janytun extension): each {@code -m} starts a new record, and the options
 * before the first {@code -m} apply to every record; {@code --batch FILE} takes one record's arguments per line
 * (after those on the command line). Within one record an option given twice is an error, not a silent override
 * (anytun-config keeps the last). See {@link RecordArgs}.
 *
 * <p>Differences, all on the side of refusing bad input (anytun-config prints a frame anyway, or hangs):
 * <ul>
 *   <li>a key whose size does not fit {@code -k}, a salt that is not 14 bytes, hex that is not hex, or no key
 *       material at all is an error (anytun-config logs an error and still prints an unusable frame);</li>
 *   <li>{@code -m}, {@code -w} and {@code -o} must be plain decimal and in range (anytun-config reads garbage as 0,
 *       clamps {@code -m}, and keeps only the low 16 bits of {@code -w} and {@code -o});</li>
 *   <li>{@code -R} needs an IP literal and a prefix length that fits it (anytun-config accepts {@code /40} on IPv4
 *       and an IPv6 scope), and prefixes such as {@code 10.0.0.128/25} or {@code 10.128.0.0/9} work (anytun-config
 *       loops forever on them). The address is written as given, not masked, as anytun-config does;</li>
 *   <li>{@code -4} together with {@code -6}, a remote address of the other family, a name that does not resolve
 *       or a service name as port is an error (anytun-config retries every 10 s forever).</li>
 * </ul>
 *
 * <p><b>Remote host names.</b> The frame carries the endpoint as an IP literal, and every receiver (anytun as
 * much as janytun) refuses a name there (SYNC.md §1.7). So, like anytun-config, a name given to {@code -r} is
 * resolved now, and the first address the system resolver returns that fits {@code -4}/{@code -6} goes into the
 * frame; an IP literal is written in the references' canonical form. Without {@code -r} the endpoint is
 * {@code 0.0.0.0} ({@code ::} with {@code -6}) and port {@code -o} (default 4444), which receivers treat as "not
 * known yet".
 *
 * <p>{@code --archive-version N} (a janytun extension) writes another Boost archive library version than 18, for
 * peers built with another Boost.
 */
public final class ConfigMain {
    private static final Logger log = LoggerFactory.getLogger("janytun-config");

    /** Exit status for a name that does not resolve. */
    public static final int EXIT_FAILURE = 1;

    private ConfigMain() {}

    @Command(name = "janytun-config")
    static final class Options extends SharedOptions.Connection {
        @Option(names = "--archive-version") String archiveVersion;
        @Option(names = "--batch") String batch;
    }

    /** A name given to -r that does not resolve. */
    static final class ResolveException extends Exception {
        ResolveException(String message) {
            super(message, null, false, false);
        }
    }

    public static void main(String[] args) {
        // -r NAME: the first address in the system resolver's order, as getaddrinfo gives it to anytun-config
        if (System.getProperty("java.net.preferIPv6Addresses") == null) {
            System.setProperty("java.net.preferIPv6Addresses", "system");
        }
        try {
            ArgvScrubber.scrubAnytunSecrets();
        } catch (IOException | RuntimeException e) {
            // best effort, as in janytun
        }
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /** Runs the tool: frames on {@code out}, one error line on {@code err}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String prog = JanytunOptions.programName("janytun-config");
        Options o = new Options();
        try {
            JanytunOptions.fill(o, List.of(args), null);
            if (o.answered(prog, () -> usage(prog), out)) {
                return 0;
            }
            List<LogTarget> targets = ToolOptions.logTargets(o.log, o.debug, prog,
                    new LogTarget.Stderr(LogLevel.WARNING));
            try {
                LogSetup.configure(targets);
            } catch (LogSetup.LogSetupException e) {
                throw new UsageException("-L/--log", e.getMessage());
            }
            List<SyncRecord> records = new ArrayList<>();
            for (List<String> recordArgs : RecordArgs.split(List.of(args), batch(o))) {
                Options r = new Options();
                JanytunOptions.fill(r, recordArgs, null);
                records.addAll(records(r));
            }
            SyncCodec codec = new SyncCodec((int) ToolOptions.number("--archive-version", o.archiveVersion, 0, 65535,
                    SyncCodec.DEFAULT_ARCHIVE_VERSION));
            // written as encoded: a batch of 65,535 records is 20 MB of text, which the tool's heap need not hold
            for (SyncRecord r : records) {
                byte[] frame = codec.encodeFrame(r);
                out.write(frame, 0, frame.length);
                out.write('\n');
            }
            out.flush();
            return 0;
        } catch (UsageException e) {
            err.println(prog + ": " + e.getMessage());
            return JanytunOptions.EXIT_USAGE;
        } catch (ResolveException e) {
            err.println(prog + ": " + e.getMessage());
            return EXIT_FAILURE;
        } finally {
            LogSetup.shutdown();
        }
    }

    /** {@code --batch FILE}: one record's arguments per line ({@code #} comments, blank lines skipped); or null. */
    private static List<List<String>> batch(Options o) throws UsageException {
        if (ToolOptions.string("--batch", o.batch) == null) {
            return null;
        }
        try {
            List<List<String>> lines = new ArrayList<>();
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(o.batch),
                    StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    lines.add(List.of(t.split("\\s+")));
                }
            }
            return lines;
        } catch (IOException | RuntimeException e) {
            throw new UsageException("--batch", "cannot read " + o.batch + ": " + e.getMessage());
        }
    }

    /** The connection record for the options, then one route record per {@code -R}. */
    static List<SyncRecord> records(Options o) throws UsageException, ResolveException {
        int mux = (int) ToolOptions.number("-m/--mux", o.mux, 0, 0xFFFF, 0);
        long window = ToolOptions.number("-w/--window-size", o.windowSize, 0, 0xFFFF_FFFFL, 0);
        int port = (int) ToolOptions.number("-o/--remote-port", o.remotePort, 0, 0xFFFF, 4444);
        if (o.ipv4Only && o.ipv6Only) {
            throw new UsageException("-4/--ipv4-only", "cannot be combined with -6/--ipv6-only");
        }
        CtrAlgorithm kd = CtrAlgorithm.AES_CTR_128;
        if (ToolOptions.string("-k/--kd-prf", o.kdPrf) != null) {
            kd = CtrAlgorithm.parse(o.kdPrf.toLowerCase(java.util.Locale.ROOT)).orElseThrow(() -> new UsageException(
                    "-k/--kd-prf", "unknown key derivation '" + InetText.printable(o.kdPrf)
                            + "' (use null, aes-ctr, aes-ctr-128, aes-ctr-192 or aes-ctr-256)"));
        }
        Role role = Role.LEFT;
        if (ToolOptions.string("-e/--role", o.role) != null) {
            role = Role.parse(o.role).orElseThrow(() -> new UsageException("-e/--role", "unknown role '"
                    + InetText.printable(o.role) + "' (use left, alice or server for one end; right, bob or client"
                    + " for the other)"));
        }
        ConnectionRecord connection = connection(o, mux, role, kd, window, port);
        List<SyncRecord> out = new ArrayList<>();
        out.add(connection);
        for (String r : o.routes) {
            ToolOptions.string("-R/--route", r);
            try {
                out.add(RouteRecord.parse(r, mux));
            } catch (IllegalArgumentException e) {
                throw new UsageException("-R/--route", e.getMessage());
            }
        }
        return out;
    }

    private static ConnectionRecord connection(Options o, int mux, Role role, CtrAlgorithm kd, long window, int port)
            throws UsageException, ResolveException {
        byte[] key = hex("-K/--key", o.key);
        byte[] salt = hex("-A/--salt", o.salt);
        String pass = ToolOptions.string("-E/--passphrase", o.passphrase);
        byte[] passBytes = pass == null ? null : pass.getBytes(StandardCharsets.UTF_8);
        String host = remoteHost(o);
        try {
            if (kd == CtrAlgorithm.NULL) {
                if (key != null || salt != null || pass != null) {
                    log.warn("-k/--kd-prf null: the key, salt and passphrase are not used");
                }
                return new ConnectionRecord(mux, role, 0, new byte[0], new byte[0], window, 0, host, port);
            }
            if (key != null && key.length != kd.keyBytes()) {
                throw new UsageException("-K/--key", "a " + key.length * 8 + "-bit master key does not fit -k/--kd-prf "
                        + kd.optionName() + ", which needs " + kd.keyBits() + " bits (" + kd.keyBits() / 4
                        + " hex digits)");
            }
            if (salt != null && salt.length != CryptoSuite.SALT_LENGTH) {
                throw new UsageException("-A/--salt", "the master salt must be 14 bytes (28 hex digits), not "
                        + salt.length);
            }
            CryptoSuite suite;
            try {
                // the cipher and auth algorithm do not matter here: any non-null pair keeps the kd-prf as given
                suite = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, kd, AuthAlgorithm.SHA1,
                        CryptoSuite.DEFAULT_TAG_LENGTH, key, salt, passBytes);
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                int colon = m.indexOf(": ");
                if (m.startsWith("-") && colon > 0) {
                    throw new UsageException(m.substring(0, colon), m.substring(colon + 2));
                }
                throw new UsageException("-K/--key", m);
            }
            byte[] k = suite.masterKey();
            byte[] s = suite.masterSalt();
            try {
                return new ConnectionRecord(mux, role, kd.keyBits(), s, k, window, 0, host, port);
            } finally {
                Arrays.fill(k, (byte) 0);
                Arrays.fill(s, (byte) 0);
            }
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
            if (salt != null) {
                Arrays.fill(salt, (byte) 0);
            }
            if (passBytes != null) {
                Arrays.fill(passBytes, (byte) 0);
            }
        }
    }

    private static byte[] hex(String option, String value) throws UsageException {
        if (ToolOptions.string(option, value) == null) {
            return null;
        }
        try {
            return Hex.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option, e.getMessage());
        }
    }

    /** The endpoint text: 0.0.0.0 (:: with -6) without -r, an IP literal canonicalised, or a name resolved now. */
    static String remoteHost(Options o) throws UsageException, ResolveException {
        String host = ToolOptions.string("-r/--remote-host", o.remoteHost);
        if (host == null) {
            return o.ipv6Only ? "::" : ConnectionRecord.UNSET_HOST;
        }
        String canonical = null;
        try {
            canonical = ConnectionRecord.canonicalHost(host);
        } catch (IllegalArgumentException notALiteral) {
            if (host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
                throw new UsageException("-r/--remote-host", "'" + InetText.printable(host) + "' is not an IPv4"
                        + " address: write four decimal numbers 0..255 without leading zeros");
            }
        }
        if (canonical != null) {
            boolean v6 = canonical.indexOf(':') >= 0;
            if (o.ipv4Only && v6) {
                throw new UsageException("-r/--remote-host", "'" + InetText.printable(host) + "' is an IPv6 address,"
                        + " but -4/--ipv4-only is given");
            }
            if (o.ipv6Only && !v6) {
                throw new UsageException("-r/--remote-host", "'" + InetText.printable(host) + "' is an IPv4 address,"
                        + " but -6/--ipv6-only is given (write ::ffff:" + InetText.printable(host)
                        + " for an IPv4-mapped address)");
            }
            return canonical;
        }
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException | IllegalArgumentException | SecurityException e) {
            throw new ResolveException("-r/--remote-host: cannot resolve '" + InetText.printable(host) + "': "
                    + e.getMessage());
        }
        for (InetAddress a : all) {
            boolean v4 = a instanceof Inet4Address;
            if ((o.ipv4Only && !v4) || (o.ipv6Only && v4)) {
                continue;
            }
            String text = InetText.format(a.getAddress());
            log.debug("remote host {} resolved to {}", host, text);
            return text;
        }
        throw new ResolveException("-r/--remote-host: '" + InetText.printable(host) + "' has no "
                + (o.ipv4Only ? "IPv4" : "IPv6") + " address");
    }

    static String usage(String prog) {
        return """
                Usage: %1$s [OPTION]...
                Writes the configuration of client connections as anytun sync frames, one a line, for
                janytun-controld or anytun-controld to serve (-f) to anytun/janytun servers (-X). For one client
                the output is byte for byte that of anytun-config(8). Each -m starts a new client's record; the
                options before the first -m apply to all; an option given twice for one record is an error.

                  -h, --help                      print this help and exit
                  -v, --version                   print the version and exit
                  -L, --log <target>:<level>[,<param>...]
                                                  add a log target (as janytun; default: stderr:2)
                  -U, --debug                     log everything to stdout (mixed with the frames)

                Connection:
                  -m, --mux <0..65535>            the client's multiplex id (default: 0)
                  -e, --role <role>               the server's role for this client: left (alice, server) or
                                                  right (bob, client) (default: left)
                  -w, --window-size <packets>     replay window size, 0 = off (default: 0)
                  -r, --remote-host <host>        the client's address, resolved now; a name is written as its
                                                  first address (default: not known, learned from the client's
                                                  first authentic packet)
                  -o, --remote-port <port>        the client's UDP port (default: 4444)
                  -4, --ipv4-only                 resolve -r to an IPv4 address only
                  -6, --ipv6-only                 resolve -r to an IPv6 address only
                  -R, --route <address>/<length>  route packets for this network to the client; repeatable

                Keys:
                  -E, --passphrase <text>         derive the master key and salt from <text>
                  -K, --key <hex>                 master key: 32, 48 or 64 hex digits, the size -k needs
                  -A, --salt <hex>                master salt: 28 hex digits
                  -k, --kd-prf <prf>              key derivation: null, aes-ctr (= aes-ctr-128), aes-ctr-128,
                                                  aes-ctr-192 or aes-ctr-256 (default: aes-ctr)

                      --archive-version <n>       Boost archive library version to write (default: 18, as
                                                  Debian bookworm's anytun; 19 for Boost 1.76 to 1.83)
                      --batch <file>              also a record for each line of <file> (one record's options
                                                  a line, on top of those before the first -m)

                The frames carry the keys in clear text: keep the output private.
                Exit status: 0 success, 1 -r does not resolve, 2 command-line error.
                """.formatted(prog);
    }
}
