/**
 * Command-line entry points and option parsing for janytun and its tools.
 *
 * <p>{@link org.janytun.cli.JanytunOptions#parse} turns a janytun command line (anytun(8) options, plus
 * {@code --config FILE} read by {@link org.janytun.cli.ConfigFile}) into a {@link org.janytun.cli.Parsed} result:
 * checked {@link org.janytun.config.TunnelSettings}, help or version text, or a one-line usage error.
 * {@link org.janytun.cli.JanytunMain} prints or runs it.
 */
package org.janytun.cli;
