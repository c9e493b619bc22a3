package org.janytun.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.janytun.config.SuiteFromSettings;
import org.janytun.config.TunnelSettings;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.SuiteException;
import org.janytun.daemon.Daemon;
import org.janytun.process.Daemonizer;
import org.janytun.os.ArgvScrubber;
import org.janytun.syncio.ClusterSecret;

/**
 * Entry point of {@code bin/janytun}: checks the whole command line in the foreground (so that every usage error
 * is one line on the caller's terminal), then runs the tunnel there ({@code -D}) or in a detached copy.
 */
public final class JanytunMain {
    private JanytunMain() {}

    /** Exit status when the tunnel cannot run (as opposed to {@link JanytunOptions#EXIT_USAGE}). */
    public static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        boolean background = args.length > 0 && args[0].equals(Daemonizer.CHILD_FLAG);
        try {
            if (background) {
                Daemonizer.detach();
                args = Daemonizer.childArguments();
            } else {
                hideSecretsFromPs();
            }
        } catch (IOException e) {
            System.err.println(JanytunOptions.programName() + ": cannot start the daemon: " + e.getMessage());
            return EXIT_FAILURE;
        }
        return switch (JanytunOptions.parse(args)) {
            case Parsed.Help h -> print(h.text());
            case Parsed.VersionInfo v -> print(v.text());
            case Parsed.Failure f -> {
                System.err.println(f.line());
                yield f.exitStatus();
            }
            case Parsed.Run r -> start(r.settings(), args, background);
        };
    }

    /** The option that gives a suite input. */
    static String optionOf(SuiteException.Input input) {
        return switch (input) {
            case MASTER_KEY -> "-K/--key";
            case MASTER_SALT -> "-A/--salt";
            case AUTH_TAG_LENGTH -> "-b/--auth-tag-length";
        };
    }

    private static int start(TunnelSettings settings, String[] args, boolean background) {
        CryptoSuite suite = null;
        try {
            // a server taking every connection from -X needs no keys of its own; anything else does
            if (settings.session().isEmpty()
                    && (settings.controlHost().isEmpty() || settings.remoteHost().isPresent())) {
                suite = SuiteFromSettings.build(settings);
            }
        } catch (SuiteException e) {
            System.err.println(JanytunOptions.programName() + ": " + optionOf(e.input()) + ": " + e.getMessage());
            return JanytunOptions.EXIT_USAGE;
        }
        if (settings.sync().enabled() && settings.sync().secretFile().isPresent()) {
            try { // before the device or a socket is opened, and on the caller's terminal
                ClusterSecret.check(Path.of(settings.sync().secretFile().get()));
            } catch (IOException e) {
                System.err.println(JanytunOptions.programName() + ": --sync-secret-file: " + e.getMessage());
                return JanytunOptions.EXIT_USAGE;
            }
        }
        if (background && !settings.daemonize()) {
            // bin/janytun saw no -D on the command line, so this JVM was started detached: a nodaemonize in the
            // --config file comes too late to stay in the foreground
            System.err.println(JanytunOptions.programName() + ": warning: -D/--nodaemonize in a --config file does"
                    + " not keep janytun in the foreground: give it on the command line");
        }
        if (settings.daemonize() && !background) {
            try {
                return Daemonizer.spawn(JanytunMain.class.getName(), args);
            } catch (IOException e) {
                System.err.println(JanytunOptions.programName() + ": cannot start the daemon: " + e.getMessage());
                return EXIT_FAILURE;
            }
        }
        return Daemon.run(settings, suite, background, () -> reread(args));
    }

    /**
     * The configuration read again for a reload: the same command line, with the {@code --config} file as it is
     * now; a configuration that is not valid any more gives its one-line error.
     */
    private static TunnelSettings reread(String[] args) {
        return switch (JanytunOptions.parse(args)) {
            case Parsed.Run r -> r.settings();
            case Parsed.Failure f -> throw new IllegalArgumentException(f.line());
            default -> throw new IllegalArgumentException("the command line asks for help or the version");
        };
    }

    /** Overwrites -K/-A/-E values in this process's visible command line, as anytun does; best effort. */
    private static void hideSecretsFromPs() {
        try {
            ArgvScrubber.scrubAnytunSecrets();
        } catch (IOException | RuntimeException e) {
            // /proc may be missing (e.g. in a chroot); the secrets then stay visible like any argument
        }
    }

    private static int print(String text) {
        System.out.print(text);
        System.out.flush();
        return 0;
    }
}
