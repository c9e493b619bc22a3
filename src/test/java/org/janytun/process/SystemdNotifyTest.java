package org.janytun.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.janytun.os.Libc;
import org.janytun.os.OsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify datagrams on a real Unix datagram socket, by path and abstract name, as systemd receives them. */
class SystemdNotifyTest {
    @TempDir
    Path dir;

    /** A receiving socket at {@code path}, as systemd binds NOTIFY_SOCKET. */
    static int listen(String path) throws OsException {
        int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC | Libc.SOCK_NONBLOCK, 0);
        Libc.bindUnix(fd, path);
        return fd;
    }

    /** The next datagram, waiting up to {@code millis}; null if none came. */
    static String receive(int fd, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            try {
                return new String(Libc.recv(fd, 4096, 0), StandardCharsets.UTF_8);
            } catch (OsException e) {
                if (e.errno() != Libc.EAGAIN || System.nanoTime() > deadline) {
                    if (e.errno() == Libc.EAGAIN) {
                        return null;
                    }
                    throw e;
                }
                Thread.sleep(5);
            }
        }
    }

    @Test
    void readyStatusAndStoppingArriveAsSystemdExpectsThem() throws Exception {
        String path = dir.resolve("notify").toString();
        int fd = listen(path);
        try {
            SystemdNotify n = SystemdNotify.to(path);
            assertTrue(n.active());
            n.ready("tunnel on tun0 up\nsecond line");
            assertEquals("READY=1\nSTATUS=tunnel on tun0 up second line\nMAINPID=" + ProcessHandle.current().pid()
                    + "\n", receive(fd, 2000));
            n.status("busy");
            assertEquals("STATUS=busy\n", receive(fd, 2000));
            n.stopping();
            assertEquals("STOPPING=1\n", receive(fd, 2000));
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void anAbstractSocketWorksAndNoSocketIsANoOp() throws Exception {
        String name = "@janytun-test-" + ProcessHandle.current().pid();
        int fd = listen(name);
        try {
            SystemdNotify.to(name).stopping();
            assertEquals("STOPPING=1\n", receive(fd, 2000));
        } finally {
            Libc.close(fd);
        }
        assertFalse(SystemdNotify.to(null).active());
        assertFalse(SystemdNotify.to("relative").active());
        SystemdNotify gone = SystemdNotify.to(dir.resolve("nobody-listens").toString());
        assertFalse(gone.active(), "a socket nobody listens on: a no-op, not a failure");
        gone.ready("x");
    }
}
