package org.janytun.control;

import java.util.ArrayList;
import java.util.List;
import org.janytun.cli.UsageException;
import org.janytun.log.LogLevel;
import org.janytun.log.LogTarget;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Command-line syntax shared by janytun-config, janytun-controld and janytun-showtables, with the rules of
 * {@link org.janytun.cli.JanytunOptions}: clustered short flags ({@code -D4}), attached values ({@code -m1},
 * {@code --mux=1}), the last occurrence of an option wins, repeatable options accumulate, an option always takes
 * the next word as its argument and an argument that begins with {@code -} is refused. Every problem is a
 * {@link UsageException} naming the option as {@code -m/--mux}.
 */
public final class ToolOptions {
    private ToolOptions() {}

    /** Fills the annotated {@code options} object from {@code args}; values stay raw strings. */
    public static void parse(Object options, String[] args) throws UsageException {
        CommandLine cl = new CommandLine(options);
        cl.setOverwrittenOptionsAllowed(true);
        cl.setPosixClusteredShortOptionsAllowed(true);
        cl.setAllowOptionsAsOptionParameters(true);
        cl.setUnmatchedOptionsAllowedAsOptionParameters(true);
        cl.setAbbreviatedOptionsAllowed(false);
        cl.setTrimQuotes(false);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.UnmatchedArgumentException e) {
            List<String> unmatched = e.getUnmatched();
            String first = unmatched.isEmpty() ? "" : unmatched.get(0);
            if (first.startsWith("--") && first.length() > 2) {
                int eq = first.indexOf('=');
                throw new UsageException(eq < 0 ? first : first.substring(0, eq), "unknown option (see --help)");
            }
            if (first.startsWith("-") && first.length() > 1) {
                throw new UsageException(first.substring(0, 2), "unknown option (see --help)");
            }
            throw new UsageException("command line", "unexpected argument that belongs to no option"
                    + " (a value with spaces must be quoted)");
        } catch (CommandLine.MissingParameterException e) {
            List<ArgSpec> missing = e.getMissing();
            throw new UsageException(missing.isEmpty() ? "option" : name(missing.get(0)), "requires an argument");
        } catch (ParameterException e) {
            ArgSpec spec = e.getArgSpec();
            if (spec instanceof OptionSpec os && os.arity().max() == 0) {
                throw new UsageException(name(os), "takes no argument");
            }
            throw new UsageException(spec == null ? "command line" : name(spec), "invalid use");
        }
    }

    private static String name(ArgSpec spec) {
        if (spec instanceof OptionSpec o) {
            String[] names = o.names();
            return names.length == 1 ? names[0] : o.shortestName() + "/" + o.longestName();
        }
        return "argument";
    }

    /** A string argument: not empty and not beginning with '-'. Never echoed (it may be a secret). */
    public static String string(String option, String value) throws UsageException {
        if (value == null) {
            return null;
        }
        if (value.isEmpty()) {
            throw new UsageException(option, "requires a non-empty argument");
        }
        if (value.startsWith("-")) {
            throw new UsageException(option, "argument must not begin with '-' (is an argument missing?)");
        }
        return value;
    }

    /** A plain decimal number in [min, max], or {@code dflt} when not given. */
    public static long number(String option, String value, long min, long max, long dflt) throws UsageException {
        if (value == null) {
            return dflt;
        }
        string(option, value);
        if (value.length() > 12 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new UsageException(option, "'" + printable(value) + "' is not a number from " + min + " to " + max);
        }
        long n = Long.parseLong(value);
        if (n < min || n > max) {
            throw new UsageException(option, n + " is out of range (" + min + " to " + max + ")");
        }
        return n;
    }

    /**
     * The {@code -L} targets, plus {@code stdout:5} for {@code -U}; {@code fallback} when there are none.
     */
    public static List<LogTarget> logTargets(List<String> specs, boolean debug, String prog, LogTarget fallback)
            throws UsageException {
        for (String s : specs) {
            string("-L/--log", s);
        }
        List<LogTarget> targets;
        try {
            targets = new ArrayList<>(LogTarget.parseAll(specs, prog));
        } catch (IllegalArgumentException e) {
            throw new UsageException("-L/--log", e.getMessage());
        }
        if (debug) {
            targets.removeIf(t -> t instanceof LogTarget.Stdout);
            targets.add(new LogTarget.Stdout(LogLevel.DEBUG));
        }
        if (targets.isEmpty()) {
            targets.add(fallback);
        }
        return targets;
    }

    static String printable(String s) {
        return org.janytun.route.InetText.printable(s);
    }
}
