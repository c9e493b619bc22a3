package org.janytun.cli;

import java.util.ArrayList;
import java.util.List;
import org.janytun.address.InetText;
import org.janytun.cli.UsageException;
import org.janytun.log.LogLevel;
import org.janytun.log.LogTarget;
import org.janytun.text.Digits;

/**
 * The value checks shared by janytun-config, janytun-controld and janytun-showtables. Their syntax is janytun's
 * ({@code JanytunOptions.fill}): clustered short flags ({@code -D4}), attached values ({@code -m1},
 * {@code --mux=1}), the last occurrence of an option wins, repeatable options accumulate, and an option always
 * takes the next word as its argument. These checks refuse an argument that begins with {@code -}. Every problem
 * is a {@link UsageException} naming the option as {@code -m/--mux}.
 */
public final class ToolOptions {
    private ToolOptions() {}

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
        long n = Digits.decimal(value, 12);
        if (n < 0) {
            throw new UsageException(option, "'" + printable(value) + "' is not a number from " + min + " to " + max);
        }
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
        return InetText.printable(s);
    }
}
