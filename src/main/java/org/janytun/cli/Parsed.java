package org.janytun.cli;

import org.janytun.config.TunnelSettings;

/**
 * What {@link JanytunOptions#parse} made of a command line: run the tunnel with these settings, print the help or
 * version text (exit status 0), or print one error line (exit status 2).
 */
public sealed interface Parsed {

    /** Valid options: start the tunnel. */
    record Run(TunnelSettings settings) implements Parsed {}

    /** {@code -h/--help}: print {@code text} on stdout, exit 0. */
    record Help(String text) implements Parsed {}

    /** {@code -v/--version}: print {@code text} on stdout, exit 0. */
    record VersionInfo(String text) implements Parsed {}

    /** A usage error: print {@code line} (one line, no newline included) on stderr, exit with {@code exitStatus}. */
    record Failure(String line, int exitStatus) implements Parsed {}
}
