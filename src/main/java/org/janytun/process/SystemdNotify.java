package org.janytun.process;

import java.nio.charset.StandardCharsets;
import org.janytun.os.Libc;
import org.janytun.os.OsException;

/**
 * systemd's readiness protocol ({@code Type=notify}, sd_notify(3)) without libsystemd: when {@code NOTIFY_SOCKET}
 * is set, one datagram per state change ({@code READY=1}, {@code STATUS=...}, {@code STOPPING=1}) on a Unix
 * datagram socket, which the JDK does not have, so through FFM. The socket is connected when this is created, so
 * notifications still arrive after a chroot hides the socket's path. Without {@code NOTIFY_SOCKET} (not under
 * systemd) nothing happens.
 */
public final class SystemdNotify {
    private final int fd;
    private final String socket;

    private SystemdNotify(int fd, String socket) {
        this.fd = fd;
        this.socket = socket;
    }

    /** From the environment: connected when {@code NOTIFY_SOCKET} is set, else a no-op; never throws. */
    public static SystemdNotify fromEnvironment() {
        return to(System.getenv("NOTIFY_SOCKET"));
    }

    /** To {@code socket} (a path, or {@code @name} for an abstract socket); null gives a no-op. */
    static SystemdNotify to(String socket) {
        if (socket == null || socket.isEmpty() || !(socket.startsWith("/") || socket.startsWith("@"))) {
            return new SystemdNotify(-1, null);
        }
        int fd = -1;
        try {
            fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            Libc.connectUnix(fd, socket);
            return new SystemdNotify(fd, socket);
        } catch (OsException | RuntimeException e) {
            closeQuietly(fd);
            System.err.println("cannot reach NOTIFY_SOCKET " + socket + ": " + e.getMessage());
            return new SystemdNotify(-1, socket);
        }
    }

    /** Whether notifications go anywhere. */
    public boolean active() {
        return fd >= 0;
    }

    /** {@code READY=1} with a one-line {@code STATUS=}. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + oneLine(status) + "\nMAINPID=" + ProcessHandle.current().pid() + "\n");
    }

    /** {@code STATUS=} only. */
    public void status(String status) {
        send("STATUS=" + oneLine(status) + "\n");
    }

    /** {@code STOPPING=1}. */
    public void stopping() {
        send("STOPPING=1\n");
    }

    private void send(String message) {
        if (fd < 0) {
            return;
        }
        try {
            Libc.send(fd, message.getBytes(StandardCharsets.UTF_8), Libc.MSG_DONTWAIT);
        } catch (OsException e) {
            // systemd gone or not listening: nothing else to tell
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ');
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                Libc.close(fd);
            } catch (OsException e) {
                // closing anyway
            }
        }
    }

    @Override
    public String toString() {
        return socket == null ? "no NOTIFY_SOCKET" : "NOTIFY_SOCKET " + socket;
    }
}
