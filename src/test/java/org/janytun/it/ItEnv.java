package org.janytun.it;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where things are: the repository, the log folder, the running JVM, the test classes, system binaries. */
public final class ItEnv {
    private ItEnv() {}

    /** The repository root: system property {@code janytun.home} (set by failsafe), else the working directory. */
    public static Path home() {
        return Path.of(System.getProperty("janytun.home", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** Folder for daemon and tool output of the integration tests: {@code target/it-logs}. */
    public static Path logRoot() {
        return home().resolve("target").resolve("it-logs");
    }

    /** The java executable that runs this test (used for the helper tools inside namespaces). */
    public static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The class folder (or jar) holding the test classes, for {@code -cp} of the helper tools. */
    public static String testClasses() {
        try {
            return Path.of(ItEnv.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The class folder (or jar) holding the main classes, for helper tools that use them. */
    public static String mainClasses() {
        try {
            return Path.of(org.janytun.syncio.ClusterSecret.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Absolute path of a system binary (sbin folders first: they are often not on a test JVM's PATH), or null. */
    public static String binary(String name) {
        List<String> dirs = new ArrayList<>(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Like {@link #binary} but fails (never skips) when the binary is missing. */
    public static String requireBinary(String name, String debianPackage) {
        String b = binary(name);
        if (b == null) {
            throw new AssertionError("required program '" + name + "' not found (Debian package: " + debianPackage + ")");
        }
        return b;
    }
}
