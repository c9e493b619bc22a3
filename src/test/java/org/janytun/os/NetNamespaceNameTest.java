package org.janytun.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The namespace name that scopes the default state and socket paths: none in the host's namespace. */
class NetNamespaceNameTest {
    @Test
    void theTestsRunInTheHostsNamespace() {
        assertEquals(Optional.empty(), NetNamespace.currentName());
    }

    /** From inside a named namespace (as root: ITs run as root in CI), its name. */
    @Test
    void insideANamedNamespaceItsName() throws Exception {
        // bin/test runs as root (so does CI); without root there are no namespaces to make: reported as skipped
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        String name = "jtns" + Long.toHexString(System.nanoTime() & 0xffffff);
        Runtime.getRuntime().exec(new String[] {"ip", "netns", "add", name}).waitFor();
        try {
            ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", name,
                    ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                    NetNamespaceNameTest.class.getName().replace("Test", "Probe"));
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            assertEquals(name, out);
        } finally {
            Runtime.getRuntime().exec(new String[] {"ip", "netns", "del", name}).waitFor();
        }
    }
}
