package org.janytun.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * The option declarations the janytun programs share, with anytun's names: each program's options class extends
 * the level it takes ({@link Help}, {@link Logging}, {@link Connection}) and mixes in {@link Process} if it is a
 * daemon. Raw values, straight from picocli: null (or an empty list) means not given; each program checks them.
 */
final class SharedOptions {
    private SharedOptions() {}

    /** {@code -h}, {@code -v}: every program. */
    abstract static class Help {
        @Option(names = {"-h", "--help"}) boolean help;
        @Option(names = {"-v", "--version"}) boolean version;

        /**
         * Prints what {@code -h} or {@code -v} asks for ({@code -h} first) on {@code out}; true when it did, and the
         * tool then exits 0.
         */
        boolean answered(String prog, Supplier<String> usage, PrintStream out) {
            String answer = help ? usage.get() : version ? HelpText.version(prog) : null;
            if (answer != null) {
                out.print(answer);
            }
            return answer != null;
        }
    }

    /** {@code -L}, {@code -U}: every program that logs. */
    abstract static class Logging extends Help {
        @Option(names = {"-L", "--log"}) List<String> log = new ArrayList<>();
        @Option(names = {"-U", "--debug"}) boolean debug;
    }

    /** One connection: janytun's own, or one that janytun-config writes for a control daemon. */
    abstract static class Connection extends Logging {
        @Option(names = {"-r", "--remote-host"}) String remoteHost;
        @Option(names = {"-o", "--remote-port"}) String remotePort;
        @Option(names = {"-4", "--ipv4-only"}) boolean ipv4Only;
        @Option(names = {"-6", "--ipv6-only"}) boolean ipv6Only;
        @Option(names = {"-R", "--route"}) List<String> routes = new ArrayList<>();
        @Option(names = {"-m", "--mux"}) String mux;
        @Option(names = {"-w", "--window-size"}) String windowSize;
        @Option(names = {"-k", "--kd-prf"}) String kdPrf;
        @Option(names = {"-e", "--role"}) String role;
        @Option(names = {"-E", "--passphrase"}) String passphrase;
        @Option(names = {"-K", "--key"}) String key;
        @Option(names = {"-A", "--salt"}) String salt;
    }

    /** {@code -D -u -g -C -P}: a daemon's process (a picocli mixin). */
    static final class Process {
        @Option(names = {"-D", "--nodaemonize"}) boolean nodaemonize;
        @Option(names = {"-u", "--username"}) String username;
        @Option(names = {"-g", "--groupname"}) String groupname;
        @Option(names = {"-C", "--chroot"}) String chroot;
        @Option(names = {"-P", "--write-pid"}) String writePid;
    }
}
