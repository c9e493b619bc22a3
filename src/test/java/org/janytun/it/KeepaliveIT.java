package org.janytun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --keepalive} against each kind of peer: janytun alone sends (the tunnel is otherwise idle), and the peer,
 * started without {@code -r}, learns janytun's endpoint from the keepalives alone (a ping from its side then
 * passes), while its device receives nothing. anytun says nothing about them; uanytun logs one warning per
 * keepalive (it logs every datagram it drops, SPEC §9.1); janytun counts them as keepalives, not drops.
 */
class KeepaliveIT {
    private static final Pattern UANYTUN_EMPTY = Pattern.compile("ignoring packet with zero length payload");
    /** What anytun and janytun would say about a datagram they drop or distrust. */
    private static final Pattern COMPLAINT = Pattern.compile("(?i)wrong|replay|too short|zero length|dropped|discard");
    private static TestNet net;
    private static int caseNo;

    @RegisterExtension
    static final SharedTestNet NET = new SharedTestNet(n -> net = n);

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"ANYTUN", "UANYTUN", "JANYTUN"})
    void keepalivesAloneTellThePeerWhereWeAreAndReachNoDevice(Kind peerKind, TestInfo info) throws Exception {
        int n = ++caseNo;
        Path logs = ItEnv.logRoot().resolve("KeepaliveIT").resolve(n + "-" + peerKind.name().toLowerCase());
        Files.createDirectories(logs);
        String devA = "tunKa" + n;
        String devB = "tunKb" + n;
        String innerA = "10.77." + n + ".1";
        String innerB = "10.77." + n + ".2";
        int portA = 5760 + n;
        int portB = 5770 + n;
        // the peer knows no remote: it can only learn ours from an authentic packet
        EndpointSpec peerSpec = new EndpointSpec().role("right").key(Scenarios.KEY128).salt(Scenarios.SALT).window(64)
                .devName(devB).ifconfig(innerB + "/24").localPort(portB);
        EndpointSpec ourSpec = new EndpointSpec().role("left").key(Scenarios.KEY128).salt(Scenarios.SALT).window(64)
                .devName(devA).ifconfig(innerA + "/24").localPort(portA).remoteHost(net.ab.v4(net.b))
                .remotePort(portB).extra("--keepalive", "1");
        try (TunnelEnd peer = TunnelEnd.start("peer", peerKind, net.b, peerSpec, logs.resolve("peer.log"))
                .awaitReady(TunnelEnd.READY_TIMEOUT);
             TunnelEnd us = TunnelEnd.start("janytun", Kind.JANYTUN, net.a, ourSpec, logs.resolve("janytun.log"))
                     .awaitReady(TunnelEnd.READY_TIMEOUT)) {
            // three keepalive intervals with nothing else to send
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            JsonNode sent;
            do {
                Sleep.millis(250);
                sent = CtlIT.show(us.controlSocket()).get("connections").get(0);
            } while (sent.path("keepalives-out").asLong() < 3 && System.nanoTime() < deadline);
            long keepalives = sent.path("keepalives-out").asLong();
            assertTrue(keepalives >= 3, "janytun sent a keepalive a second: " + sent);
            assertEquals(keepalives, sent.get("packets-out").asLong(), "and nothing else: " + sent);
            assertEquals(0L, rxPackets(net.b, devB), "the peer's device received nothing");

            switch (peerKind) {
                case UANYTUN -> {
                    long warnings = peer.process().count(UANYTUN_EMPTY);
                    long after = CtlIT.show(us.controlSocket()).get("connections").get(0).get("keepalives-out").asLong();
                    assertTrue(warnings >= keepalives - 1 && warnings <= after,
                            "uanytun warns once per keepalive: " + warnings + " warnings for " + keepalives + ".."
                                    + after + " keepalives\n" + peer.diagnostics(20));
                }
                case ANYTUN -> assertEquals(0, peer.process().count(COMPLAINT),
                        "anytun takes keepalives silently:\n" + peer.diagnostics(20));
                case JANYTUN -> {
                    JsonNode got = CtlIT.show(peer.controlSocket()).get("connections").get(0);
                    assertTrue(got.get("keepalives-in").asLong() >= keepalives - 1, got.toString());
                    assertEquals(0, got.get("drops").asLong(), got.toString());
                    assertEquals(0, got.get("packets-in").asLong(), "nothing delivered: " + got);
                    assertEquals(0, peer.process().count(COMPLAINT), peer.diagnostics(20));
                }
                default -> throw new AssertionError(peerKind);
            }
            // the peer has never been sent a data packet, yet it knows where janytun is
            Traffic.PingResult p = Traffic.ping(net.b, innerA, 3);
            assertEquals(3, p.received(), "ping from the " + peerKind.label() + " side: " + p.output());
            assertEquals(0, us.process().count(COMPLAINT), us.diagnostics(20));
            System.out.println("KeepaliveIT: " + peerKind.label() + " peer: " + keepalives
                    + " keepalives, none on its device; it learned our endpoint from them");
        }
    }

    private static long rxPackets(Netns ns, String dev) {
        Exec.Result r = ns.run(Exec.SHORT, "cat", "/sys/class/net/" + dev + "/statistics/rx_packets");
        assertEquals(0, r.exitCode(), r.describe());
        return Long.parseLong(r.output().trim());
    }
}
