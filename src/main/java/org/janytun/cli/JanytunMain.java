package org.janytun.cli;

import org.janytun.log.LogSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of {@code bin/janytun}: parses the command line, then runs the tunnel with {@link #run}. */
public final class JanytunMain {
    private JanytunMain() {}

    /** Exit status when the tunnel cannot run (as opposed to {@link JanytunOptions#EXIT_USAGE}). */
    public static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        int status = switch (JanytunOptions.parse(args)) {
            case Parsed.Help h -> print(h.text());
            case Parsed.VersionInfo v -> print(v.text());
            case Parsed.Failure f -> {
                System.err.println(f.line());
                yield f.exitStatus();
            }
            case Parsed.Run r -> run(r.settings());
        };
        System.out.flush();
        System.exit(status);
    }

    /**
     * Runs janytun with checked settings and returns the exit status.
     *
     * <p>For now this sets up the log targets, logs the warnings of the option check, prints the settings
     * (secrets redacted) and returns 0. The daemon (privileges, device, sockets, SATP session) is started here,
     * at the marked place, once it exists.
     */
    public static int run(TunnelSettings settings) {
        try {
            LogSetup.configure(settings.logTargets());
        } catch (LogSetup.LogSetupException e) {
            System.err.println(JanytunOptions.programName() + ": -L/--log: " + e.getMessage());
            return EXIT_FAILURE;
        }
        try {
            Logger log = LoggerFactory.getLogger(JanytunMain.class);
            settings.warnings().forEach(log::warn);
            // Daemon hook: start the tunnel here with `settings` and return its exit status.
            System.out.println(settings);
            return 0;
        } finally {
            LogSetup.shutdown();
        }
    }

    private static int print(String text) {
        System.out.print(text);
        return 0;
    }
}
