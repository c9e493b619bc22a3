package org.janytun.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Splits janytun-config's arguments into one argument list per record: the options before the first {@code -m}
 * (common to all), then each {@code -m} with the options up to the next one. A record's own options come after
 * the common ones, so they override them. Within the common part or one record, an option other than {@code -R}
 * given twice is an error: anytun-config would keep the last and drop the first without a word.
 */
final class RecordArgs {
    /** Options that take no argument (everything else janytun-config knows takes one). */
    private static final Set<String> FLAGS = Set.of("-4", "--ipv4-only", "-6", "--ipv6-only", "-U", "--debug",
            "-h", "--help", "-v", "--version");
    private static final Set<String> REPEATABLE = Set.of("-R", "--route");
    private static final Set<String> MUX = Set.of("-m", "--mux");

    private RecordArgs() {}

    /**
     * The argument list of each record: from the command line, then one per {@code batch} line (each on top of
     * the common options); at least one list, as a call without {@code -m} writes one record (mux 0).
     */
    static List<List<String>> split(List<String> args, List<List<String>> batch) throws UsageException {
        List<String> common = new ArrayList<>();
        List<List<String>> records = new ArrayList<>();
        List<String> current = common;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                current.addAll(args.subList(i, args.size()));
                break;
            }
            String name = name(a);
            if (name == null) {
                current.add(a);
                continue;
            }
            if (MUX.contains(name)) {
                current = new ArrayList<>(common);
                records.add(current);
                seen = new HashSet<>();
            }
            if (!REPEATABLE.contains(name) && !seen.add(canonical(name))) {
                throw new UsageException(canonical(name), "given twice for one record (each -m/--mux starts a new"
                        + " record; options before the first one apply to all)");
            }
            current.add(a);
            if (takesSeparateValue(a, name) && i + 1 < args.size()) {
                current.add(args.get(++i));
            }
        }
        if (batch != null) {
            for (List<String> line : batch) {
                List<String> r = new ArrayList<>(common);
                r.addAll(split(line, null).getFirst());
                records.add(r);
            }
        }
        if (records.isEmpty()) {
            records.add(common);
        }
        return records;
    }

    /** The option a token names ({@code --mux=3} → {@code --mux}, {@code -m3} → {@code -m}), or null for a value. */
    private static String name(String token) {
        if (token.startsWith("--")) {
            int eq = token.indexOf('=');
            return eq < 0 ? token : token.substring(0, eq);
        }
        if (token.startsWith("-") && token.length() >= 2) {
            return token.substring(0, 2);
        }
        return null;
    }

    private static boolean takesSeparateValue(String token, String name) {
        if (FLAGS.contains(name)) {
            return false;
        }
        return token.equals(name); // "--mux=3" and "-m3" carry their value
    }

    /** One name per option, so that {@code -m} and {@code --mux} count as the same. */
    private static String canonical(String name) {
        return switch (name) {
            case "-r", "--remote-host" -> "-r/--remote-host";
            case "-o", "--remote-port" -> "-o/--remote-port";
            case "-m", "--mux" -> "-m/--mux";
            case "-w", "--window-size" -> "-w/--window-size";
            case "-k", "--kd-prf" -> "-k/--kd-prf";
            case "-e", "--role" -> "-e/--role";
            case "-E", "--passphrase" -> "-E/--passphrase";
            case "-K", "--key" -> "-K/--key";
            case "-A", "--salt" -> "-A/--salt";
            case "-4", "--ipv4-only" -> "-4/--ipv4-only";
            case "-6", "--ipv6-only" -> "-6/--ipv6-only";
            case "-L", "--log" -> "-L/--log";
            case "-U", "--debug" -> "-U/--debug";
            default -> name;
        };
    }
}
