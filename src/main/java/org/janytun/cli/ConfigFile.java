package org.janytun.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A Debian-style config file ({@code /etc/anytun/<vpn>/config}) turned into command-line arguments: one long
 * option per line without the leading {@code --}, then its value, if it takes one, after white space:
 *
 * <pre>
 * # a comment
 * remote-host 10.0.0.1
 * nodaemonize
 * passphrase "a phrase with spaces and a # sign"
 * </pre>
 *
 * <p>The value is the rest of the line with surrounding white space removed (so it may contain spaces). A
 * As with Debian's launcher, a {@code #} anywhere outside quotes starts a comment. A value may be put in single
 * or double quotes to keep white space or {@code #} in it (our extension; there are no escapes inside quotes).
 * An unquoted value with white space in it is refused: Debian's launcher would split it into several arguments,
 * and no reading of it is safe.
 *
 * <p>Problems are reported as {@code <file>:<line>: <problem>}; values are never echoed, since the file may hold keys.
 */
public final class ConfigFile {
    private ConfigFile() {}

    /** Whether a long option takes a value, as the command line defines it. */
    public enum ArgumentKind {
        /** A flag such as {@code nodaemonize}. */
        NONE,
        /** An option with a value such as {@code port 4444}. */
        REQUIRED
    }

    /**
     * Reads {@code file} (UTF-8) and returns its options as arguments: {@code --name} or {@code --name value}.
     *
     * @param options the kind of each long option name (without dashes), null for names that are not allowed
     * @throws UsageException for an unreadable file or a malformed line
     */
    public static List<String> read(Path file, Function<String, ArgumentKind> options) throws UsageException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new UsageException("--config", "cannot read " + file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new UsageException("--config", file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new UsageException("--config", "cannot read " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), text, options);
    }

    /** As {@link #read}, for the text of a file named {@code name} (used in messages). */
    public static List<String> parse(String name, String text, Function<String, ArgumentKind> options)
            throws UsageException {
        List<String> args = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            parseLine(name + ":" + (i + 1), lines[i], options, args);
        }
        return List.copyOf(args);
    }

    private static void parseLine(String where, String line, Function<String, ArgumentKind> options,
            List<String> args) throws UsageException {
        int n = line.length();
        int p = skipSpace(line, 0);
        if (p == n || line.charAt(p) == '#') {
            return;
        }
        int nameEnd = p;
        while (nameEnd < n && !Character.isWhitespace(line.charAt(nameEnd))) {
            nameEnd++;
        }
        String name = line.substring(p, nameEnd);
        if (name.startsWith("-")) {
            throw new UsageException(where, "write the long option name without leading dashes (e.g. 'port 4444')");
        }
        int hash = name.indexOf('#');
        if (hash >= 0) {
            // "nodaemonize#comment": the comment ends the name and the line.
            name = name.substring(0, hash);
            nameEnd = n;
        }
        if (!name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new UsageException(where, "malformed option name (expected lower-case letters, digits and '-')");
        }
        ArgumentKind kind = switch (name) {
            case "config", "help", "version" -> throw new UsageException(where,
                    "'" + name + "' cannot be used in a config file");
            default -> options.apply(name);
        };
        if (kind == null) {
            throw new UsageException(where, "unknown option '" + name + "'");
        }
        String value = value(where, line, nameEnd);
        if (kind == ArgumentKind.NONE && value != null) {
            throw new UsageException(where, "option '" + name + "' takes no value");
        }
        if (kind == ArgumentKind.REQUIRED && value == null) {
            throw new UsageException(where, "option '" + name + "' needs a value");
        }
        args.add("--" + name);
        if (value != null) {
            args.add(value);
        }
    }

    /** The value after the name, or null if there is none. */
    private static String value(String where, String line, int from) throws UsageException {
        int n = line.length();
        int p = skipSpace(line, from);
        if (p == n || line.charAt(p) == '#') {
            return null;
        }
        char c = line.charAt(p);
        if (c == '"' || c == '\'') {
            int close = line.indexOf(c, p + 1);
            if (close < 0) {
                throw new UsageException(where, "unterminated quote");
            }
            int after = skipSpace(line, close + 1);
            if (after < n && line.charAt(after) != '#') {
                throw new UsageException(where, "unexpected text after the closing quote");
            }
            return line.substring(p + 1, close);
        }
        int end = line.indexOf('#', p); // as Debian's launcher: a # anywhere ends the line
        String value = line.substring(p, end < 0 ? n : end).strip();
        if (value.chars().anyMatch(Character::isWhitespace)) {
            throw new UsageException(where, "the value has white space in it: put it in quotes (Debian's launcher"
                    + " would split it into several arguments)");
        }
        return value;
    }

    private static int skipSpace(String s, int p) {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
        return p;
    }
}
