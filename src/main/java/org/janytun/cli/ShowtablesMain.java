package org.janytun.cli;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.janytun.syncio.ClusterSecret;
import org.janytun.syncio.SyncGuard;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import org.janytun.address.HostPort;
import org.janytun.control.Showtables;
import org.janytun.cli.ToolOptions;
import org.janytun.address.InetText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/janytun-showtables}: prints the sync frames read on stdin the way anytun-showtables does (see
 * {@link Showtables}), or, with {@code -c host[:port]}, those a sync or control port sends: it connects (within
 * 5 s), prints the dump, and stops when the peer closes the connection or has sent nothing for {@code -t} seconds.
 */
public final class ShowtablesMain {
    /** Default port of {@code -c}: anytun's default sync/control port. */
    public static final int DEFAULT_PORT = 2323;
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;

    private ShowtablesMain() {}

    @Command(name = "janytun-showtables")
    static final class Options extends SharedOptions.Help {
        @Option(names = {"-c", "--connect"}) String connect;
        @Option(names = {"-t", "--timeout"}) String timeout;
        @Option(names = "--sync-secret-file") String secretFile;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String prog = JanytunOptions.programName("janytun-showtables");
        Options o = new Options();
        HostPort target;
        int idleSeconds;
        try {
            JanytunOptions.fill(o, List.of(args), null);
            if (o.answered(prog, () -> usage(prog), out)) {
                return 0;
            }
            idleSeconds = (int) ToolOptions.number("-t/--timeout", o.timeout, 0, 86400, 3);
            if (o.timeout != null && o.connect == null) {
                throw new UsageException("-t/--timeout", "only applies to -c/--connect");
            }
            if (o.secretFile != null && o.connect == null) {
                throw new UsageException("--sync-secret-file", "only applies to -c/--connect");
            }
            target = null;
            if (ToolOptions.string("-c/--connect", o.connect) != null) {
                try {
                    target = HostPort.parse(o.connect, DEFAULT_PORT);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("-c/--connect", e.getMessage());
                }
                if (target.host().isEmpty() || target.port() == 0) {
                    throw new UsageException("-c/--connect", "give <host>[:<port>] (default port " + DEFAULT_PORT
                            + ")");
                }
            }
        } catch (UsageException e) {
            err.println(prog + ": " + e.getMessage());
            return JanytunOptions.EXIT_USAGE;
        }
        if (target == null) {
            return Showtables.run(in, out, err, prog);
        }
        SyncGuard guard = SyncGuard.PLAIN;
        if (o.secretFile != null) {
            try {
                List<String> warnings = new ArrayList<>();
                guard = ClusterSecret.read(Path.of(o.secretFile), warnings);
                warnings.forEach(w -> err.println(prog + ": warning: " + w));
            } catch (IOException | InvalidPathException e) {
                err.println(prog + ": --sync-secret-file: " + e.getMessage());
                return 1;
            }
        }
        try (Socket s = new Socket()) {
            InetAddress a;
            try {
                a = InetAddress.getByName(target.host());
            } catch (UnknownHostException | IllegalArgumentException e) {
                err.println(prog + ": -c/--connect: cannot resolve '" + InetText.printable(target.host()) + "'");
                return 1;
            }
            s.connect(new InetSocketAddress(a, target.port()), CONNECT_TIMEOUT_MILLIS);
            InputStream frames = guard.open(s);
            s.setSoTimeout(idleSeconds * 1000);
            s.shutdownOutput(); // a sync port reads nothing more
            return Showtables.run(frames, out, err, prog);
        } catch (IOException e) {
            err.println(prog + ": cannot read from " + target + ": " + e.getMessage());
            return 1;
        }
    }

    static String usage(String prog) {
        return """
                Usage: %1$s [-c <host>[:<port>] [-t <seconds>] [--sync-secret-file <file>]]
                Prints anytun sync frames as anytun-showtables(8) does, one line a frame:
                  Client <mux>: <address>:<port> | not registered
                  Route: <address>/<length> -> <mux>
                Reads stdin (a sync stream, or anytun-config output with one frame a line) unless -c is given.

                  -h, --help                      print this help and exit
                  -v, --version                   print the version and exit
                  -c, --connect <host>[:<port>]   read what a sync port (anytun -S) or control port
                                                  (anytun-controld -X) sends (default port: %2$d)
                  -t, --timeout <seconds>         with -c: stop once nothing arrived for <seconds>; 0 waits for
                                                  pushes until the peer closes (default: 3)
                      --sync-secret-file <file>   with -c: read a janytun sync port protected with this cluster
                                                  secret

                Errors go to stderr, one line naming the frame; a bad frame does not stop the output.
                Exit status: 0 success, 1 a bad frame or no connection, 2 command-line error.
                """.formatted(prog, DEFAULT_PORT);
    }
}
