package org.janytun.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Moves a thread into a named network namespace ({@code ip netns add NAME}, /var/run/netns/NAME).
 *
 * <p>setns(2) changes only the calling thread: devices it opens, sockets it creates and processes it spawns live in
 * that namespace, while the other threads of the JVM stay where they were. Use a dedicated platform thread (a
 * virtual thread would move its carrier, which the JDK shares).
 */
public final class NetNamespace {
    private static final String NETNS_DIR = "/var/run/netns/";

    private NetNamespace() {
    }

    /**
     * The name ({@code ip netns add NAME}) of the network namespace this process runs in, or empty when it has none
     * (the host's namespace has none; nor has a container's own). Names outlive processes, so they can scope what a
     * daemon keeps on disk per namespace.
     */
    public static Optional<String> currentName() {
        try {
            Path self = Path.of("/proc/self/ns/net");
            Object ino = Files.getAttribute(self, "unix:ino");
            Object dev = Files.getAttribute(self, "unix:dev");
            try (DirectoryStream<Path> names = Files.newDirectoryStream(Path.of(NETNS_DIR))) {
                for (Path n : names) {
                    if (ino.equals(Files.getAttribute(n, "unix:ino")) && dev.equals(Files.getAttribute(n, "unix:dev"))) {
                        return Optional.of(n.getFileName().toString());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, no /proc, no /var/run/netns: no name
        }
        return Optional.empty();
    }

    /** setns(open("/var/run/netns/NAME"), CLONE_NEWNET) for the calling thread only. Needs CAP_SYS_ADMIN. */
    public static void enter(String name) throws OsException {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a virtual thread cannot enter a network namespace (it would move its carrier)");
        }
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("bad network namespace name: " + name);
        }
        int fd = Libc.open(NETNS_DIR + name, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        try {
            Libc.setns(fd, Libc.CLONE_NEWNET);
        } finally {
            Libc.close(fd);
        }
    }

    /**
     * Runs {@code task} on a new platform thread that first {@link #enter}s the namespace, and waits for it. Devices
     * and sockets the task creates stay in the namespace after it returns.
     */
    public static <T> T callIn(String name, Callable<T> task) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                enter(name);
                result.set(task.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join();
        Throwable e = failure.get();
        if (e instanceof Exception ex) {
            throw ex;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new ExecutionException(e);
        }
        return result.get();
    }
}
