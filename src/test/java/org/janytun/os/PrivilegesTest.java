package org.janytun.os;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The name resolution half of the privilege drop; changes nothing, runs as any user. */
class PrivilegesTest {

    @Test
    void userAloneMeansItsPrimaryGroup() throws Exception {
        assumeTrue(Libc.getpwnam("nobody").isPresent() && Libc.getgrnam("nogroup").isPresent(), "no nobody/nogroup");
        Privileges.Target t = Privileges.resolve("nobody", null).orElseThrow();
        assertEquals("nobody", t.user());
        assertEquals(65534, t.uid());
        assertEquals(65534, t.gid());
        assertArrayEquals(new int[] {65534}, t.groups());
    }

    @Test
    void groupReplacesThePrimaryGroup() throws Exception {
        Privileges.Target t = Privileges.resolve("root", "daemon").orElseThrow();
        assertEquals(0, t.uid());
        assertEquals(Libc.getgrnam("daemon").orElseThrow(), t.gid());
        assertTrue(t.groups().length >= 1 && t.groups()[0] == t.gid());
    }

    @Test
    void groupAloneIsIgnored() throws Exception {
        int uid = Libc.getuid();
        int gid = Libc.getgid();
        assertTrue(Privileges.resolve(null, "nogroup").isEmpty());
        assertTrue(Privileges.resolve("", "nogroup").isEmpty());
        assertTrue(Privileges.drop(null, "nogroup").isEmpty());
        assertEquals(uid, Libc.getuid());
        assertEquals(gid, Libc.getgid());
    }

    @Test
    void unknownNamesFail() {
        assertEquals("unknown user 'jt-no-such-user'",
                assertThrows(IOException.class, () -> Privileges.resolve("jt-no-such-user", null)).getMessage());
        assertEquals("unknown group 'jt-no-such-group'",
                assertThrows(IOException.class, () -> Privileges.resolve("root", "jt-no-such-group")).getMessage());
    }
}
