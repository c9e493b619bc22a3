package org.janytun.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.janytun.control.ControlDaemon;
import org.janytun.control.ControlTable;
import org.janytun.config.ControldSettings;
import org.janytun.address.HostPort;
import org.janytun.cli.ToolOptions;
import org.janytun.process.Daemonizer;
import org.janytun.log.LogTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/janytun-controld}: the control daemon of anytun-controld(8), with its options ({@code -f -X -D -u -g
 * -C -P -L -U}). It serves the table file (anytun-config or janytun-config output) to every client that connects,
 * byte for byte as anytun-controld does; beyond it, SIGHUP re-reads the file and pushes it to the connected clients
 * (see {@link org.janytun.control.ControlServer}), and a bad table is refused with the number of its first bad line.
 * The command line and the table are checked in the foreground, so that errors reach the terminal; then the daemon
 * detaches as janytun does (unless {@code -D} or {@code -U}).
 */
public final class ControldMain {
    private ControldMain() {}

    @Command(name = "janytun-controld")
    static final class Options extends SharedOptions.Logging {
        @Mixin SharedOptions.Process process = new SharedOptions.Process();
        @Option(names = {"-f", "--file"}) String file;
        @Option(names = {"-X", "--control-host"}) String controlHost;
        @Option(names = "--end-marker") boolean endMarker;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static String prog() {
        return JanytunOptions.programName("janytun-controld");
    }

    static int run(String[] args) {
        String prog = prog();
        boolean background = args.length > 0 && args[0].equals(Daemonizer.CHILD_FLAG);
        if (background) {
            try {
                Daemonizer.detach();
                args = Daemonizer.childArguments();
            } catch (IOException e) {
                System.err.println(prog + ": cannot start the daemon: " + e.getMessage());
                return 1;
            }
        }
        Options o = new Options();
        ControldSettings settings;
        try {
            JanytunOptions.fill(o, List.of(args), null);
            if (o.answered(prog, () -> usage(prog), System.out)) {
                return 0;
            }
            settings = settings(o, prog);
        } catch (UsageException e) {
            System.err.println(prog + ": " + e.getMessage());
            return JanytunOptions.EXIT_USAGE;
        }
        AtomicReference<ControlTable> table = new AtomicReference<>(); // ControlDaemon.run takes it out
        try {
            table.set(ControlTable.read(settings.file()));
        } catch (ControlTable.TableException e) {
            System.err.println(prog + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println(prog + ": -f/--file: cannot read " + settings.file() + ": " + e.getMessage());
            return 1;
        }
        if (settings.daemonize() && !background) {
            try {
                return Daemonizer.spawn(ControldMain.class.getName(), args);
            } catch (IOException e) {
                System.err.println(prog + ": cannot start the daemon: " + e.getMessage());
                return 1;
            }
        }
        return ControlDaemon.run(settings, table, background, prog);
    }

    static ControldSettings settings(Options o, String prog) throws UsageException {
        Optional<String> user = Optional.ofNullable(ToolOptions.string("-u/--username", o.process.username));
        Optional<String> group = Optional.ofNullable(ToolOptions.string("-g/--groupname", o.process.groupname));
        Optional<String> chroot = Optional.ofNullable(ToolOptions.string("-C/--chroot", o.process.chroot));
        Optional<String> pid = Optional.ofNullable(ToolOptions.string("-P/--write-pid", o.process.writePid));
        List<LogTarget> targets = ToolOptions.logTargets(o.log, o.debug, prog, LogTarget.defaultTarget(prog));
        if (ToolOptions.string("-f/--file", o.file) == null) {
            throw new UsageException("-f/--file", "required: the table to serve (janytun-config output)");
        }
        String x = o.controlHost == null ? ControldSettings.DEFAULT_BIND : o.controlHost;
        if (x.isEmpty()) {
            throw new UsageException("-X/--control-host", "requires a non-empty argument");
        }
        HostPort bind;
        try {
            bind = HostPort.parse(x, ControldSettings.DEFAULT_PORT);
        } catch (IllegalArgumentException e) {
            throw new UsageException("-X/--control-host", e.getMessage());
        }
        if (bind.host().startsWith("-")) {
            throw new UsageException("-X/--control-host", "argument must not begin with '-' (is an argument missing?)");
        }
        return new ControldSettings(!(o.process.nodaemonize || o.debug), user, group, chroot, pid, targets, Path.of(o.file),
                bind, o.endMarker);
    }

    static String usage(String prog) {
        return """
                Usage: %1$s -f <file> [OPTION]...
                Serves a table of anytun sync frames (janytun-config or anytun-config output, one frame a line)
                to anytun and janytun servers started with -X/--control-host, as anytun-controld(8) does.
                SIGHUP re-reads the file and pushes it to the connected servers; a file with a bad line is
                refused (the line number is logged) and the old table stays.

                  -h, --help                      print this help and exit
                  -v, --version                   print the version and exit
                  -f, --file <file>               the table to serve (required)
                  -X, --control-host [<address>]:<port> | <address>
                                                  where to listen (default: %2$s); ':<port>' listens on
                                                  every address, which gives every client's keys to anyone
                                                  who can connect
                      --end-marker                end the table sent on connect with a janytun-table-end
                                                  frame, so that janytun servers can drop what is no longer
                                                  in it (anytun ignores the frame)

                Process:
                  -D, --nodaemonize               stay in the foreground (default: become a daemon)
                  -u, --username <user>           switch to <user> after start-up
                  -g, --groupname <group>         switch to <group> (default: the user's group; needs -u)
                  -C, --chroot <dir>              change root to <dir> after start-up (the table must be
                                                  inside it for SIGHUP to re-read it)
                  -P, --write-pid <file>          write the process id to <file>
                  -L, --log <target>:<level>[,<param>...]
                                                  add a log target, as janytun (default: syslog:3,%1$s,daemon)
                  -U, --debug                     log everything to stdout and stay in the foreground

                Exit status: 0 stopped by SIGTERM/SIGINT, 1 failure (bad table, cannot listen), 2 command-line error.
                """.formatted(prog, ControldSettings.DEFAULT_BIND);
    }
}
