package org.janytun.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterfaceConfiguratorTest {
    @TempDir
    Path tmp;

    @Test
    void cidrs() {
        assertEquals("192.168.201.1/29", InterfaceConfigurator.normalizeCidr("192.168.201.1/29"));
        assertEquals("10.0.0.1/32", InterfaceConfigurator.normalizeCidr("10.0.0.1/32"));
        assertEquals("0.0.0.0/0", InterfaceConfigurator.normalizeCidr("0.0.0.0/0"));
        assertEquals("fd00:0:0:0:0:0:0:1/64", InterfaceConfigurator.normalizeCidr("fd00::1/64"));
        assertEquals("2001:db8:0:0:0:0:0:0/128", InterfaceConfigurator.normalizeCidr("2001:DB8::/128"));
        for (String bad : List.of("", "10.0.0.1", "10.0.0.1/", "/24", "10.0.0.1/33", "256.0.0.1/8", "10.0.0/8",
                "10.0.0.1/-1", "10.0.0.1/abc", "fd00::1/129", "fd00:::1/64", "example.org/24", "1.2.3.4/24 up")) {
            assertThrows(IllegalArgumentException.class, () -> InterfaceConfigurator.normalizeCidr(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> InterfaceConfigurator.normalizeCidr(null));
    }

    @Test
    void rejectsBadDeviceNamesAndMtusBeforeRunningAnything() {
        InterfaceConfigurator c = new InterfaceConfigurator();
        assertThrows(IllegalArgumentException.class, () -> c.configure("-x", "10.0.0.1/24"));
        assertThrows(IllegalArgumentException.class, () -> c.configure("tun 0", "10.0.0.1/24"));
        assertThrows(IllegalArgumentException.class, () -> c.configure("a234567890123456", "10.0.0.1/24"));
        assertThrows(IllegalArgumentException.class, () -> c.configure("tun0", "10.0.0.1/24", 20));
        assertThrows(IllegalArgumentException.class, () -> InterfaceConfigurator.inNamespace("a/b"));
    }

    @Test
    void findsIp() throws IOException {
        assertTrue(InterfaceConfigurator.findIp().isAbsolute());
    }

    @Test
    void ipFailureCarriesItsStderr() throws Exception {
        // a device that does not exist: ip fails before it changes anything, as any user
        IOException e = assertThrows(IOException.class,
                () -> new InterfaceConfigurator().configure("jt-none-" + (System.nanoTime() % 1000), "10.213.250.1/30"));
        assertTrue(e.getMessage().contains(" addr add 10.213.250.1/30 dev jt-none-"), e.getMessage());
        assertTrue(e.getMessage().contains("failed with exit code"), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("device"), e.getMessage()); // e.g. 'Cannot find device "..."'
    }

    @Test
    void postUpScriptGetsArgvDevAndAnEmptyEnvironment() throws Exception {
        Path out = tmp.resolve("out");
        Path script = script("""
                #!/bin/sh
                fds=$(for fd in 0 1 2; do printf 'FD%s %s\\n' $fd "$(/usr/bin/readlink /proc/$$/fd/$fd)"; done)
                { printf 'ARG %s\\n' "$0" "$@"; /usr/bin/env | /bin/sed 's/^/ENV /'; echo "$fds"; \
                printf 'CWD %s\\n' "$(pwd)"; } > OUT
                exit 3
                """.replace("OUT", out.toString()));
        assertEquals(3, InterfaceConfigurator.runPostUpScript(script, "tun7"));
        List<String> lines = Files.readAllLines(out);
        assertEquals(List.of("ARG " + script, "ARG tun7"), lines.stream().filter(l -> l.startsWith("ARG ")).toList());
        Set<String> envNames = lines.stream().filter(l -> l.startsWith("ENV ")).map(l -> l.substring(4).split("=", 2)[0])
                .collect(Collectors.toSet());
        assertTrue(Set.of("PWD", "OLDPWD", "SHLVL", "_").containsAll(envNames), "environment: " + envNames);
        assertTrue(lines.containsAll(List.of("FD0 /dev/null", "FD1 /dev/null", "FD2 /dev/null")), lines.toString());
        assertTrue(lines.contains("CWD " + Path.of("").toAbsolutePath()), lines.toString()); // inherited
    }

    @Test
    void postUpScriptThatHangsIsKilled() throws Exception {
        Path pidFile = tmp.resolve("pid");
        Path script = script("#!/bin/sh\necho $$ > " + pidFile + "\nexec /bin/sleep 60\n");
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class,
                () -> InterfaceConfigurator.runPostUpScript(script, "tun0", Duration.ofMillis(1500)));
        assertTrue(e.getMessage().contains("did not exit within 1500 ms"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        for (int i = 0; i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(50);
        }
        assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "script still running");
    }

    @Test
    void postUpScriptThatCannotRun() throws Exception {
        Path noShebang = tmp.resolve("plain");
        Files.writeString(noShebang, "echo hi\n");
        IOException e = assertThrows(IOException.class, () -> InterfaceConfigurator.runPostUpScript(noShebang, "tun0"));
        assertTrue(e.getMessage().startsWith("cannot run post-up script '" + noShebang + "'"), e.getMessage());
        IOException missing = assertThrows(IOException.class,
                () -> InterfaceConfigurator.runPostUpScript(tmp.resolve("missing"), "tun0"));
        assertTrue(missing.getMessage().contains("cannot run post-up script"), missing.getMessage());
    }

    private Path script(String text) throws IOException {
        Path p = tmp.resolve("post-up-" + Arrays.hashCode(text.getBytes()));
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }
}
