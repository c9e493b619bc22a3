package org.janytun.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks what the namespace tests need and FAILS (never skips) when something is missing: root, /dev/net/tun,
 * iproute2, ping, sysctl, stdbuf, net-tools' /sbin/ifconfig (the references run it for {@code -n}) and the
 * reference daemons.
 */
public final class Preflight {
    private Preflight() {}

    public static void require() {
        List<String> problems = new ArrayList<>();
        Exec.Result id = Exec.run(Exec.SHORT, "id", "-u");
        if (!id.ok() || !id.output().strip().equals("0")) {
            problems.add("must run as root (network namespaces, tun/tap devices); id -u says " + id.output().strip());
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            problems.add("/dev/net/tun is missing (mknod /dev/net/tun c 10 200)");
        }
        String[][] programs = {
            {"ip", "iproute2"}, {"ss", "iproute2"}, {"ping", "iputils-ping"}, {"sysctl", "procps"},
            {"stdbuf", "coreutils"}, {"uanytun", "uanytun"}, {"anytun", "anytun"},
        };
        for (String[] p : programs) {
            if (ItEnv.binary(p[0]) == null) {
                problems.add("program '" + p[0] + "' not found (Debian package " + p[1] + ")");
            }
        }
        if (!Files.isExecutable(Path.of("/sbin/ifconfig"))) {
            problems.add("/sbin/ifconfig not found: anytun and uanytun run it for -n (Debian package net-tools)");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("the network-namespace integration tests cannot run:\n  - "
                    + String.join("\n  - ", problems));
        }
    }
}
