package org.janytun.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Privilege drop and chroot, done in a child JVM (never to the test JVM), checked from inside and from outside. */
class PrivilegesIT {
    private static int nobody;
    private static int nogroup;
    private static int daemon;

    @BeforeAll
    static void needRoot() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs root");
        assumeTrue(Libc.getpwnam("nobody").isPresent() && Libc.getgrnam("nogroup").isPresent(), "needs nobody/nogroup");
        nobody = Libc.getpwnam("nobody").orElseThrow().uid();
        nogroup = Libc.getgrnam("nogroup").orElseThrow();
        daemon = Libc.getgrnam("daemon").orElseThrow();
    }

    @Test
    void dropToNobodyReachesEveryThread() throws Exception {
        try (ChildJvm child = ChildJvm.start(PrivilegesChild.class, "drop", "nobody", "-")) {
            child.awaitLine("READY", Duration.ofSeconds(30));
            assertEquals(nobody + " " + nobody + " " + nogroup + " " + nogroup, line(child, "IDS "));
            // as the child saw itself: every thread
            java.util.Map<String, String> byTask = new java.util.TreeMap<>();
            child.output().lines().filter(l -> l.startsWith("TASK ")).map(l -> l.split(" ", 3))
                    .forEach(f -> byTask.merge(f[1], f[2] + " | ", String::concat));
            assertTrue(byTask.size() >= 5, "a JVM has many threads: " + byTask);
            byTask.values().forEach(ids -> assertIds(ids, nobody, nogroup, "" + nogroup));
            // as the test sees it from outside
            assertEveryThread(child.pid(), nobody, nogroup, "" + nogroup);
        }
    }

    @Test
    void groupOptionReplacesThePrimaryGroup() throws Exception {
        try (ChildJvm child = ChildJvm.start(PrivilegesChild.class, "drop", "nobody", "daemon")) {
            child.awaitLine("READY", Duration.ofSeconds(30));
            assertEquals(nobody + " " + nobody + " " + daemon + " " + daemon, line(child, "IDS "));
            assertEveryThread(child.pid(), nobody, daemon, "" + daemon);
        }
    }

    @Test
    void chrootThenDrop(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(root.resolve("marker"), "x");
        try (ChildJvm child = ChildJvm.start(PrivilegesChild.class, "chroot", "nobody", "-", root.toString())) {
            child.awaitLine("READY", Duration.ofSeconds(30));
            assertEquals(nobody + " " + nobody + " " + nogroup + " " + nogroup, line(child, "IDS "));
            assertEquals("marker=true outside=false", child.output().lines().filter(l -> l.startsWith("ROOT "))
                    .findFirst().orElseThrow().substring(5));
            assertEquals(root.toRealPath(), Files.readSymbolicLink(Path.of("/proc/" + child.pid() + "/root")));
            assertEquals(root.toRealPath(), Files.readSymbolicLink(Path.of("/proc/" + child.pid() + "/cwd")));
            assertEveryThread(child.pid(), nobody, nogroup, "" + nogroup);
        }
    }

    @Test
    void unknownUserOrGroupFailsBeforeAnyChange() {
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Privileges.drop("jt-no-such-user", null));
        assertEquals("unknown user 'jt-no-such-user'", e.getMessage());
        assertEquals(0, Libc.geteuid());
    }

    private static String line(ChildJvm child, String prefix) {
        return child.output().lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + "line in:\n" + child.output())).substring(prefix.length());
    }

    private static void assertEveryThread(long pid, int uid, int gid, String groups) throws IOException {
        List<String> seen = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                StringBuilder ids = new StringBuilder();
                for (String line : Files.readAllLines(task.resolve("status"))) {
                    if (line.startsWith("Uid:") || line.startsWith("Gid:") || line.startsWith("Groups:")) {
                        ids.append(line.replaceAll("\\s+", " ").strip()).append(" | ");
                    }
                }
                seen.add(ids.toString());
            }
        }
        assertTrue(seen.size() >= 5, "threads: " + seen);
        for (String ids : seen) {
            assertIds(ids, uid, gid, groups);
        }
    }

    /** {@code ids} holds "Uid: r e s f", "Gid: r e s f" and "Groups: ..." in any separation. */
    private static void assertIds(String ids, int uid, int gid, String groups) {
        assertTrue(ids.contains("Uid: " + uid + " " + uid + " " + uid + " " + uid), ids);
        assertTrue(ids.contains("Gid: " + gid + " " + gid + " " + gid + " " + gid), ids);
        assertTrue(ids.matches(".*Groups: " + groups + "\\s*(\\|.*)?"), ids);
    }
}
