package org.janytun.os;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Overwrites the values of secret options in this process's own command line with '#', as anytun does for
 * {@code -K}, {@code -A} and {@code -E}, so that {@code ps} and {@code /proc/PID/cmdline} no longer show them.
 *
 * <p>The kernel shows the argv strings straight from the process's memory (the range {@code arg_start..arg_end}
 * from /proc/self/stat), so we overwrite them in place; the lengths and the NUL separators stay. The Java
 * {@code String[] args} are copies and keep the values.
 */
public final class ArgvScrubber {
    /** anytun's secret options: the key, the salt and the passphrase. */
    public static final List<String> ANYTUN_SECRETS = List.of("-K", "--key", "-A", "--salt", "-E", "--passphrase");
    /** anytun's short options without an argument: they may stand in front of a secret one, as in {@code -DK key}. */
    static final String FLAGS_WITHOUT_ARGUMENT = "hvDU46Y";

    private ArgvScrubber() {
    }

    /**
     * Scrubs the values of {@code options} in this process's argv. A short option ({@code -K}) matches {@code -K v}
     * and {@code -Kv}; a long one ({@code --key}) matches {@code --key v} and {@code --key=v}. Scanning stops at
     * {@code --}.
     *
     * @return how many values were overwritten
     * @throws IOException when /proc/self/stat cannot be read
     */
    @SuppressWarnings("restricted") // the kernel told us this range is our argv area
    public static int scrub(List<String> options) throws IOException {
        long[] range = argRange(Files.readString(Path.of("/proc/self/stat")));
        long len = range[1] - range[0];
        if (range[0] == 0 || len <= 0) {
            throw new IOException("no command line range in /proc/self/stat");
        }
        MemorySegment argv = MemorySegment.ofAddress(range[0]).reinterpret(len);
        byte[] copy = argv.toArray(ValueLayout.JAVA_BYTE);
        int n = scrub(copy, options);
        if (n > 0) {
            MemorySegment.copy(copy, 0, argv, ValueLayout.JAVA_BYTE, 0, copy.length);
        }
        return n;
    }

    /**
     * Gives this process the name {@code title} in {@code ps}: the command line (the argv area is overwritten with
     * the title and NUL bytes; what does not fit is cut) and the process name of {@code ps -e}/{@code top}
     * ({@code /proc/self/comm}, at most 15 bytes). For a detached daemon whose real command line says nothing.
     */
    @SuppressWarnings("restricted") // the kernel told us this range is our argv area
    public static void retitle(String title) throws IOException {
        long[] range = argRange(Files.readString(Path.of("/proc/self/stat")));
        long len = range[1] - range[0];
        if (range[0] == 0 || len <= 1) {
            throw new IOException("no command line range in /proc/self/stat");
        }
        MemorySegment argv = MemorySegment.ofAddress(range[0]).reinterpret(len);
        argv.copyFrom(MemorySegment.ofArray(titleArea(title, (int) len)));
        byte[] comm = title.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(Path.of("/proc/self/comm"), java.util.Arrays.copyOf(comm, Math.min(comm.length, 15)));
    }

    /** The new argv area: the title, cut to leave room for one NUL, then NULs. */
    static byte[] titleArea(String title, int length) {
        byte[] t = title.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] area = new byte[length];
        System.arraycopy(t, 0, area, 0, Math.min(t.length, length - 1));
        return area;
    }

    /** {@link #scrub(List)} with {@link #ANYTUN_SECRETS}. */
    public static int scrubAnytunSecrets() throws IOException {
        return scrub(ANYTUN_SECRETS);
    }

    /**
     * Fields 48 and 49 (arg_start, arg_end) of a /proc/PID/stat line. Field 2 ({@code (comm)}) may hold spaces and
     * parentheses, so fields are counted from after the last ')'.
     */
    static long[] argRange(String stat) throws IOException {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IOException("unexpected /proc/self/stat format");
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state), so field N is f[N - 3].
        if (f.length < 47) {
            throw new IOException("/proc/self/stat has too few fields (" + (f.length + 2) + ")");
        }
        return new long[] {Long.parseUnsignedLong(f[45]), Long.parseUnsignedLong(f[46])};
    }

    /** Scrubs a NUL-separated argv image in place; returns how many values were overwritten. */
    static int scrub(byte[] argv, List<String> options) {
        int count = 0;
        boolean nextIsSecret = false;
        int start = 0;
        while (start < argv.length) {
            int end = start;
            while (end < argv.length && argv[end] != 0) {
                end++;
            }
            if (nextIsSecret) {
                nextIsSecret = false;
                if (fill(argv, start, end)) {
                    count++;
                }
            } else {
                String arg = new String(argv, start, end - start, StandardCharsets.UTF_8);
                if (arg.equals("--")) {
                    break;
                }
                int cluster = secretInCluster(arg, options);
                if (cluster > 0) {
                    // -DK key, or -DKkey: the secret follows the flags that take no argument
                    if (cluster == arg.length()) {
                        nextIsSecret = true;
                    } else if (fill(argv, start + cluster, end)) {
                        count++;
                    }
                    start = end + 1;
                    continue;
                }
                for (String opt : options) {
                    if (arg.equals(opt)) {
                        nextIsSecret = true;
                        break;
                    }
                    int valueAt = -1;
                    if (opt.startsWith("--")) {
                        if (arg.startsWith(opt + "=")) {
                            valueAt = opt.length() + 1;
                        }
                    } else if (!arg.startsWith("--") && arg.startsWith(opt)) {
                        valueAt = opt.length() + (arg.charAt(opt.length()) == '=' ? 1 : 0); // -Kvalue, -K=value
                    }
                    if (valueAt >= 0) {
                        // the option name is ASCII, so its char length is its byte length
                        if (fill(argv, start + valueAt, end)) {
                            count++;
                        }
                        break;
                    }
                }
            }
            start = end + 1;
        }
        return count;
    }

    /**
     * For a cluster of short options whose leading letters take no argument and are followed by a secret option
     * ({@code -D4K...}): where the secret value starts in {@code arg} ({@code arg.length()} when it is the next
     * argument); 0 for anything else.
     */
    private static int secretInCluster(String arg, List<String> options) {
        if (arg.length() < 3 || arg.charAt(0) != '-' || arg.charAt(1) == '-'
                || FLAGS_WITHOUT_ARGUMENT.indexOf(arg.charAt(1)) < 0) {
            return 0;
        }
        for (int i = 1; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (FLAGS_WITHOUT_ARGUMENT.indexOf(c) >= 0) {
                continue;
            }
            return options.contains("-" + c) ? i + 1 : 0;
        }
        return 0;
    }

    private static boolean fill(byte[] argv, int from, int to) {
        for (int i = from; i < to; i++) {
            argv[i] = '#';
        }
        return to > from;
    }
}
