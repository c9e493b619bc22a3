package org.janytun.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One {@code -L target:level[,params]} log target of anytun(8):
 * {@code syslog:L[,ident[,facility]]}, {@code file:L[,path]}, {@code stdout:L} or {@code stderr:L}.
 */
public sealed interface LogTarget {

    /** Lines of this level and more severe ones go to the target; {@link LogLevel#OFF} mutes it. */
    LogLevel level();

    /** The target in the {@code -L} syntax, with every default filled in. */
    String spec();

    /** The local syslog daemon, through syslog(3). */
    record Syslog(LogLevel level, String ident, SyslogFacility facility) implements LogTarget {
        public Syslog {
            Objects.requireNonNull(level);
            Objects.requireNonNull(ident);
            Objects.requireNonNull(facility);
        }

        @Override
        public String spec() {
            return "syslog:" + level.number() + "," + ident + "," + facility.label();
        }
    }

    /** A file, appended to; a relative path is relative to the working directory at start. */
    record File(LogLevel level, String path) implements LogTarget {
        public File {
            Objects.requireNonNull(level);
            Objects.requireNonNull(path);
        }

        @Override
        public String spec() {
            return "file:" + level.number() + "," + path;
        }
    }

    /** Standard output. */
    record Stdout(LogLevel level) implements LogTarget {
        public Stdout {
            Objects.requireNonNull(level);
        }

        @Override
        public String spec() {
            return "stdout:" + level.number();
        }
    }

    /** Standard error. */
    record Stderr(LogLevel level) implements LogTarget {
        public Stderr {
            Objects.requireNonNull(level);
        }

        @Override
        public String spec() {
            return "stderr:" + level.number();
        }
    }

    /** The target used when no {@code -L} is given: {@code syslog:3,<prog>,daemon}. */
    static LogTarget defaultTarget(String prog) {
        return new Syslog(LogLevel.NOTICE, prog, SyslogFacility.DAEMON);
    }

    /**
     * Parses one {@code -L} argument. The level is exactly one digit 0..5, followed by the end or a comma.
     *
     * @param prog the program name: the default syslog ident, and {@code <prog>.log} the default file
     * @throws IllegalArgumentException with a one-line explanation that quotes the bad part
     */
    static LogTarget parse(String spec, String prog) {
        int colon = spec.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + spec + "': expected <target>:<level>[,<params>] with target "
                    + "syslog, file, stdout or stderr");
        }
        String kind = spec.substring(0, colon);
        String rest = spec.substring(colon + 1);
        String[] parts = rest.split(",", -1);
        String levelText = parts[0];
        if (levelText.length() != 1 || levelText.charAt(0) < '0' || levelText.charAt(0) > '5') {
            throw new IllegalArgumentException("'" + spec + "': the level must be one digit from 0 (off) to 5 (debug),"
                    + " got '" + levelText + "'");
        }
        LogLevel level = LogLevel.ofNumber(levelText.charAt(0) - '0');
        List<String> params = Arrays.asList(parts).subList(1, parts.length);
        for (String p : params) {
            if (p.isEmpty()) {
                throw new IllegalArgumentException("'" + spec + "': empty parameter");
            }
        }
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "syslog" -> {
                requireAtMost(spec, params, 2, "syslog takes at most a name and a facility");
                String ident = params.isEmpty() ? prog : params.get(0);
                SyslogFacility facility = SyslogFacility.DAEMON;
                if (params.size() == 2) {
                    facility = SyslogFacility.byName(params.get(1)).orElseThrow(() -> new IllegalArgumentException(
                            "'" + spec + "': unknown syslog facility '" + params.get(1) + "' (use "
                                    + Arrays.stream(SyslogFacility.values()).map(SyslogFacility::label)
                                            .collect(Collectors.joining(", ")) + ")"));
                }
                yield new Syslog(level, ident, facility);
            }
            case "file" -> {
                requireAtMost(spec, params, 1, "file takes at most a path (which cannot contain a comma)");
                yield new File(level, params.isEmpty() ? prog + ".log" : params.get(0));
            }
            case "stdout" -> {
                requireAtMost(spec, params, 0, "stdout takes no parameters");
                yield new Stdout(level);
            }
            case "stderr" -> {
                requireAtMost(spec, params, 0, "stderr takes no parameters");
                yield new Stderr(level);
            }
            default -> throw new IllegalArgumentException("'" + spec + "': unknown log target '" + kind
                    + "' (use syslog, file, stdout or stderr)");
        };
    }

    /**
     * Parses every {@code -L} argument in order. Only {@code file} may appear more than once.
     *
     * @throws IllegalArgumentException as {@link #parse}, or naming the repeated target
     */
    static List<LogTarget> parseAll(List<String> specs, String prog) {
        List<LogTarget> out = new ArrayList<>(specs.size());
        Set<Class<?>> seen = new HashSet<>();
        for (String spec : specs) {
            LogTarget t = parse(spec, prog);
            if (!(t instanceof File) && !seen.add(t.getClass())) {
                throw new IllegalArgumentException("'" + spec + "': only the file target may be given more than once");
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    private static void requireAtMost(String spec, List<String> params, int max, String why) {
        if (params.size() > max) {
            throw new IllegalArgumentException("'" + spec + "': too many parameters: " + why);
        }
    }
}
