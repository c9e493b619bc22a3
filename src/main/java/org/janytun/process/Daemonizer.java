package org.janytun.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.janytun.os.Libc;
import org.janytun.os.OsException;

/**
 * Turns janytun into a background daemon. A JVM cannot fork, so the foreground process starts a copy of itself
 * in a new session, hands it the command line through a pipe (so that keys never show in the child's
 * {@code /proc/PID/cmdline}), and returns only once the child reports that the tunnel is up, or with the child's
 * exit status if it failed. The child's errors reach the caller's stderr until it is ready.
 */
public final class Daemonizer {
    /** First argument of the background copy: its real arguments follow on stdin, NUL-separated. */
    public static final String CHILD_FLAG = "--internal-daemon-child";
    private static final String READY = "janytun-ready";

    private Daemonizer() {}

    /**
     * In the foreground process: starts the daemon and waits for it.
     *
     * @return the exit status for the foreground process: 0 once the daemon is ready
     */
    public static int spawn(String mainClass, String[] args) throws IOException {
        List<String> command = new ArrayList<>();
        ProcessHandle.Info self = ProcessHandle.current().info();
        command.add(self.command().orElseThrow(() -> new IOException("cannot tell which java runs this process")));
        // the JVM options of this process (everything before the main class), then the main class
        for (String a : self.arguments().orElse(new String[0])) {
            if (a.equals(mainClass)) {
                break;
            }
            command.add(a);
        }
        command.add(mainClass);
        command.add(CHILD_FLAG);
        Process child = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (OutputStream in = child.getOutputStream()) {
            for (String a : args) {
                in.write(a.getBytes(StandardCharsets.UTF_8));
                in.write(0);
            }
        }
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals(READY)) {
                    return 0;
                }
                System.out.println(line); // e.g. a stdout log target: shown until the daemon lets go of stdout
            }
        }
        try {
            int status = child.waitFor();
            return status == 0 ? 1 : status; // it ended without becoming ready: that is a failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** In the background copy: its arguments, read from stdin. */
    public static String[] childArguments() throws IOException {
        byte[] all = System.in.readAllBytes();
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                args.add(new String(all, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        java.util.Arrays.fill(all, (byte) 0);
        return args.toArray(String[]::new);
    }

    /** In the background copy, first thing: leave the caller's session and terminal. */
    public static void detach() throws OsException {
        Libc.setsid();
    }

    private static int preparedDevNull = -1;

    /**
     * In the background copy, before a chroot: opens /dev/null now for {@link #reportReady}, which may run inside a
     * chroot that has no /dev. Optional; calling it again does nothing.
     */
    public static synchronized void prepareReport() throws OsException {
        if (preparedDevNull < 0) {
            preparedDevNull = Libc.open("/dev/null", Libc.O_RDWR, 0);
        }
    }

    /**
     * In the background copy, once the tunnel runs: tells the foreground process, then lets go of its stdin,
     * stdout and stderr (pointing them at /dev/null), so that nothing holds the caller's terminal or pipes.
     */
    public static void reportReady() throws OsException {
        int devNull;
        synchronized (Daemonizer.class) {
            devNull = preparedDevNull;
            preparedDevNull = -1;
        }
        if (devNull < 0) {
            devNull = Libc.open("/dev/null", Libc.O_RDWR, 0);
        }
        try {
            System.err.flush();
            Libc.dup2(devNull, 2);
            Libc.dup2(devNull, 0);
            System.out.println(READY);
            System.out.flush();
            Libc.dup2(devNull, 1);
        } finally {
            Libc.close(devNull);
        }
    }
}
