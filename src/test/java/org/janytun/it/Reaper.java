package org.janytun.it;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Last line of defence: remembers every process and network namespace the tests start, and removes whatever is
 * still there when the JVM exits (shutdown hook). Normal cleanup happens in the owners' close() methods, which
 * untrack what they removed. Processes are only ever killed by their own PID.
 */
public final class Reaper {
    private static final Set<ProcessHandle> PROCESSES = new LinkedHashSet<>();
    private static final Set<String> NAMESPACES = new LinkedHashSet<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Reaper::reapAll, "janytun-it-reaper"));
    }

    private Reaper() {}

    public static synchronized void track(ProcessHandle p) {
        PROCESSES.add(p);
    }

    public static synchronized void untrack(ProcessHandle p) {
        PROCESSES.remove(p);
    }

    public static synchronized void trackNetns(String name) {
        NAMESPACES.add(name);
    }

    public static synchronized void untrackNetns(String name) {
        NAMESPACES.remove(name);
    }

    /** Kills one process (and the descendants it has right now): SIGTERM, then SIGKILL after {@code graceMillis}. */
    public static void kill(ProcessHandle p, long graceMillis) {
        List<ProcessHandle> kids = p.descendants().toList();
        if (p.isAlive()) {
            p.destroy();
            try {
                p.onExit().get(Math.max(graceMillis, 0), TimeUnit.MILLISECONDS);
            } catch (Exception timeoutOrInterrupt) {
                if (timeoutOrInterrupt instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
            if (p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.onExit().get(2, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // bounded wait: nothing more we can do
                }
            }
        }
        for (ProcessHandle k : kids) {
            if (k.isAlive()) {
                k.destroyForcibly();
            }
        }
    }

    static void reapAll() {
        List<ProcessHandle> procs;
        List<String> nss;
        synchronized (Reaper.class) {
            procs = new ArrayList<>(PROCESSES);
            nss = new ArrayList<>(NAMESPACES);
            PROCESSES.clear();
            NAMESPACES.clear();
        }
        for (ProcessHandle p : procs) {
            kill(p, 200);
        }
        for (String ns : nss) {
            try {
                Process p = new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (Exception ignored) {
                // best effort during JVM shutdown
            }
        }
    }
}
