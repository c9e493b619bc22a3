package org.janytun.os;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LibcTest {

    @Test
    void getpidIsTheJvmPid() {
        assertEquals(ProcessHandle.current().pid(), Libc.getpid());
    }

    @Test
    void idsMatchProcStatus() throws Exception {
        String status = Files.readString(Path.of("/proc/self/status"));
        String uid = line(status, "Uid:");
        String gid = line(status, "Gid:");
        assertEquals(uid.split("\\s+")[1], Integer.toString(Libc.getuid()));
        assertEquals(uid.split("\\s+")[2], Integer.toString(Libc.geteuid()));
        assertEquals(gid.split("\\s+")[1], Integer.toString(Libc.getgid()));
        assertEquals(gid.split("\\s+")[2], Integer.toString(Libc.getegid()));
    }

    @Test
    void strerrorTexts() {
        assertEquals("Operation not permitted", Libc.strerror(Libc.EPERM));
        assertEquals("No such file or directory", Libc.strerror(Libc.ENOENT));
        assertEquals("Invalid argument", Libc.strerror(Libc.EINVAL));
        assertEquals("Resource temporarily unavailable", Libc.strerror(Libc.EAGAIN));
        assertEquals("Input/output error", Libc.strerror(Libc.EIO));
        assertEquals("File descriptor in bad state", Libc.strerror(Libc.EBADFD));
        assertTrue(Libc.strerror(99999).startsWith("Unknown error"));
    }

    @Test
    void failedOpenCarriesErrnoAndText() {
        OsException e = assertThrows(OsException.class,
                () -> Libc.open("/nonexistent/jt-" + System.nanoTime(), Libc.O_RDONLY, 0));
        assertEquals(Libc.ENOENT, e.errno());
        assertEquals("No such file or directory", e.reason());
        assertTrue(e.getMessage().startsWith("open /nonexistent/jt-"), e.getMessage());
        assertTrue(e.getMessage().endsWith(": No such file or directory (errno 2)"), e.getMessage());
    }

    @Test
    void closeOfBadFdFailsWithEbadf() {
        OsException e = assertThrows(OsException.class, () -> Libc.close(1_000_000));
        assertEquals(Libc.EBADF, e.errno());
    }

    @Test
    void readWriteOnSocketPairWithOffsets() throws Exception {
        int[] sv = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC | Libc.O_NONBLOCK, 0);
        try {
            Libc.CallState st = new Libc.CallState();
            byte[] out = "xxhello".getBytes();
            assertEquals(5, Libc.write(st, sv[0], out, 2, 5));
            byte[] in = new byte[16];
            Arrays.fill(in, (byte) 7);
            assertEquals(5, Libc.read(st, sv[1], in, 3, 13));
            assertEquals("hello", new String(in, 3, 5));
            assertEquals(7, in[2]);
            assertEquals(7, in[8]);
            // nothing left: a non-blocking read fails with EAGAIN, reported through the call state
            assertEquals(-1, Libc.read(st, sv[1], in, 0, in.length));
            assertEquals(Libc.EAGAIN, st.errno());
        } finally {
            Libc.close(sv[0]);
            Libc.close(sv[1]);
        }
    }

    @Test
    void failuresOfThePerPacketCallsCarryTheirErrno() throws Exception {
        // the calls first go without errno capture; each failure must still report its own errno
        Libc.CallState st = new Libc.CallState();
        int[] sv = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC | Libc.O_NONBLOCK, 0);
        byte[] buf = new byte[1500];
        try {
            int written = 0;
            while (Libc.write(st, sv[0], buf, 0, buf.length) > 0 && written < 1_000_000) { // fill the peer's queue
                written++;
            }
            assertEquals(Libc.EAGAIN, st.errno(), "write to a full socket");
            assertTrue(Libc.read(st, sv[1], buf, 0, buf.length) > 0);
            var pollFd = java.lang.foreign.Arena.ofAuto().allocate(8, 4);
            pollFd.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, sv[1]);
            pollFd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
            assertEquals(1, Libc.poll(st, pollFd, 1, 0));
            assertEquals(-1, Libc.poll(st, pollFd, Integer.MAX_VALUE, 0)); // more fds than RLIMIT_NOFILE allows
            assertEquals(Libc.EINVAL, st.errno(), "poll with too many fds");
            var msgs = java.lang.foreign.Arena.ofAuto().allocate(64, 8); // one zeroed struct mmsghdr
            int notASocket = Libc.eventfd(0, 0);
            try {
                assertEquals(-1, Libc.sendmmsg(st, notASocket, msgs, 1, Libc.MSG_DONTWAIT));
                assertEquals(Libc.ENOTSOCK, st.errno(), "sendmmsg on an eventfd");
            } finally {
                Libc.close(notASocket);
            }
            assertEquals(-1, Libc.recvmmsg(st, 0x7fff, msgs, 1, Libc.MSG_DONTWAIT));
            assertEquals(Libc.EBADF, st.errno(), "recvmmsg on a closed fd");
        } finally {
            Libc.close(sv[0]);
            Libc.close(sv[1]);
        }
        assertEquals(-1, Libc.read(st, sv[1], buf, 0, buf.length));
        assertEquals(Libc.EBADF, st.errno(), "read from a closed fd");
        assertEquals(-1, Libc.write(st, sv[1], buf, 0, 1));
        assertEquals(Libc.EBADF, st.errno(), "write to a closed fd");
    }

    @Test
    void dup2ReplacesAnFd() throws Exception {
        int[] sv = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC | Libc.O_NONBLOCK, 0);
        int copy = Libc.eventfd(0, Libc.EFD_CLOEXEC); // any fd, replaced by a copy of sv[0]
        try {
            Libc.dup2(sv[0], copy);
            Libc.CallState st = new Libc.CallState();
            byte[] b = {42};
            assertEquals(1, Libc.write(st, copy, b, 0, 1));
            assertEquals(1, Libc.read(st, sv[1], new byte[4], 0, 4));
        } finally {
            Libc.close(copy);
            Libc.close(sv[0]);
            Libc.close(sv[1]);
        }
        assertEquals(Libc.EBADF, assertThrows(OsException.class, () -> Libc.dup2(1_000_000, 1_000_001)).errno());
    }

    @Test
    void userAndGroupDatabase() throws Exception {
        Libc.Passwd root = Libc.getpwnam("root").orElseThrow();
        assertEquals(0, root.uid());
        assertEquals(0, root.gid());
        assertEquals("root", root.name());
        assertEquals("/root", root.home());
        assertTrue(Libc.getpwnam("jt-no-such-user").isEmpty());
        assertEquals(0, Libc.getgrnam("root").orElseThrow());
        assertTrue(Libc.getgrnam("jt-no-such-group").isEmpty());
        assertTrue(Arrays.stream(Libc.getgrouplist("root", 0)).anyMatch(g -> g == 0));
    }

    @Test
    void debianNobody() throws Exception {
        assumeTrue(Libc.getpwnam("nobody").isPresent() && Libc.getgrnam("nogroup").isPresent(), "no nobody/nogroup");
        Libc.Passwd nobody = Libc.getpwnam("nobody").orElseThrow();
        assertEquals(65534, nobody.uid());
        assertEquals(65534, nobody.gid());
        assertEquals(65534, Libc.getgrnam("nogroup").orElseThrow());
        assertArrayEquals(new int[] {65534}, Libc.getgrouplist("nobody", 65534));
    }

    @Test
    void umaskRoundTrip() {
        int old = Libc.umask(0027);
        try {
            assertEquals(0027, Libc.umask(old));
        } finally {
            Libc.umask(old);
        }
    }

    private static String line(String text, String key) {
        return Arrays.stream(text.split("\n")).filter(l -> l.startsWith(key)).findFirst().orElseThrow();
    }
}
