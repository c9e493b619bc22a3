package org.janytun.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.janytun.it.Scenario.Feature.DEFAULT_PORTS;
import static org.janytun.it.Scenario.Feature.DEFAULT_ROLE_LEFT;
import static org.janytun.it.Scenario.Feature.INNER_V6;
import static org.janytun.it.Scenario.Feature.NO_TCP;
import static org.janytun.it.Scenario.Feature.OUTER_V6;
import static org.janytun.it.Scenario.Feature.REPLAY_REDIRECTS;
import static org.janytun.it.Scenario.Feature.REPLAY_REJECTED;
import static org.janytun.it.Scenario.Feature.RIGHT_LEARNS_REMOTE;
import static org.janytun.it.Scenario.Feature.TAP;
import static org.janytun.it.Scenario.Feature.UDP_BURSTS;

/**
 * Runs {@link TunnelCase}s in a shared {@link TestNet}: the left end in namespace A, the right end in B. Each case
 * gets a serial number k and with it its own device names ({@code tun<k>}/{@code tap<k>}), ports and inner
 * addresses ({@code 10.202.<k>.1|2/24}, {@code fd00:<k>::1|2/64}), so nothing leaks from one case into the next.
 * Everything a case starts is stopped in a finally block; on failure the message carries the daemons' log tails.
 */
public final class CaseRunner {
    /** Datagrams per direction in a {@link Scenario.Feature#UDP_BURSTS} case: 32 bursts of 64. */
    private static final int UDP_COUNT = 2048;

    private final TestNet net;
    private final Path logRoot;
    private int serial;

    public CaseRunner(TestNet net, Path logRoot) {
        this.net = net;
        this.logRoot = logRoot;
    }

    /** Per-case names, ports and addresses. */
    public record Layout(int k, String dev, int leftPort, int rightPort, int relayPort, int replayPort, int tcpPort,
            String leftV4, String rightV4, String leftV6, String rightV6) {
        static Layout of(int k, boolean tap) {
            int base = 20000 + 10 * k;
            int net = (k - 1) % 250 + 1;
            return new Layout(k, (tap ? "tap" : "tun") + k, base, base + 1, base + 2, base + 3, base + 4,
                    "10.202." + net + ".1", "10.202." + net + ".2", "fd00:" + k + "::1", "fd00:" + k + "::2");
        }

        int udpPort() {
            return tcpPort + 1;
        }
    }

    /** Runs one case; throws an AssertionError with diagnostics when a check fails. */
    public void run(TunnelCase tc) {
        serial++;
        Scenario sc = tc.scenario();
        Pairing pairing = tc.pairing();
        Layout l = Layout.of(serial, sc.has(TAP));
        Path dir = logRoot.resolve(String.format("%03d-%s", serial, tc.slug()));
        boolean replay = sc.has(REPLAY_REJECTED) || sc.has(REPLAY_REDIRECTS);

        EndpointSpec leftSpec = baseSpec(sc, l, true);
        EndpointSpec rightSpec = baseSpec(sc, l, false);
        if (replay) {
            // The left end sends via the relay (in A, on loopback); the right end's remote is the relay's outer address.
            leftSpec.remoteHost("127.0.0.1").remotePort(l.relayPort());
            rightSpec.remoteHost(net.ab.v4(net.a)).remotePort(l.relayPort());
        }
        sc.configure(leftSpec, rightSpec);

        List<AutoCloseable> started = new ArrayList<>();
        TunnelEnd left = null;
        TunnelEnd right = null;
        ReplayProbe probe = null;
        try {
            if (replay) {
                probe = ReplayProbe.start(net.a, l.relayPort(), net.ab.v4(net.b), rightSpec.effectiveLocalPort(), dir);
                started.add(probe);
            }
            if (pairing.rightFirst()) {
                right = startEnd("right", pairing.right(), net.b, rightSpec, dir, started);
                left = startEnd("left", pairing.left(), net.a, leftSpec, dir, started);
            } else {
                left = startEnd("left", pairing.left(), net.a, leftSpec, dir, started);
                right = startEnd("right", pairing.right(), net.b, rightSpec, dir, started);
            }
            check(sc, l, left, right, probe, dir);
        } catch (Throwable t) {
            StringBuilder msg = new StringBuilder(tc + " FAILED: " + t.getMessage());
            msg.append("\n(logs in ").append(dir).append(")");
            if (left != null) {
                msg.append("\n").append(left.diagnostics(40));
            }
            if (right != null) {
                msg.append("\n").append(right.diagnostics(40));
            }
            if (probe != null) {
                msg.append("\n").append(probe.diagnostics());
            }
            AssertionError e = new AssertionError(msg.toString(), t);
            System.err.println(msg);
            throw e;
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception | AssertionError ignored) {
                    // keep closing the rest
                }
            }
        }
    }

    private EndpointSpec baseSpec(Scenario sc, Layout l, boolean isLeft) {
        boolean v6 = sc.has(OUTER_V6);
        Netns peer = isLeft ? net.b : net.a;
        EndpointSpec s = new EndpointSpec()
                .devName(l.dev()).devType(sc.has(TAP) ? "tap" : "tun")
                .ifconfig((isLeft ? l.leftV4() : l.rightV4()) + "/24")
                .remoteHost(net.ab.addr(peer, v6));
        if (!(isLeft && sc.has(DEFAULT_ROLE_LEFT))) {
            s.role(isLeft ? "left" : "right");
        }
        if (!sc.has(DEFAULT_PORTS)) {
            s.localPort(isLeft ? l.leftPort() : l.rightPort());
            s.remotePort(isLeft ? l.rightPort() : l.leftPort());
        }
        if (v6) {
            s.family(EndpointSpec.Family.V6);
        }
        if (!isLeft && sc.has(RIGHT_LEARNS_REMOTE)) {
            s.remoteHost(null).remotePort(null);
        }
        return s;
    }

    private static TunnelEnd startEnd(String label, Kind kind, Netns ns, EndpointSpec spec, Path dir,
            List<AutoCloseable> started) {
        TunnelEnd end = TunnelEnd.start(label, kind, ns, spec, dir.resolve(label + "-" + kind.label() + ".log"));
        started.add(end);
        return end.awaitReady(TunnelEnd.READY_TIMEOUT);
    }

    private void check(Scenario sc, Layout l, TunnelEnd left, TunnelEnd right, ReplayProbe probe, Path dir) {
        Netns a = net.a;
        Netns b = net.b;
        String dev = l.dev();

        // The left end always knows its remote, so it sends first (the right end may be learning it).
        Traffic.awaitPing(a, l.rightV4(), Traffic.PING_BUDGET, "left -> right through the tunnel");
        Traffic.awaitPing(b, l.leftV4(), Traffic.PING_BUDGET, "right -> left through the tunnel");

        for (TunnelEnd end : List.of(left, right)) {
            assertIfconfigApplied(end);
        }
        if (sc.has(TAP)) {
            Traffic.assertNeighbour(a, dev, l.rightV4(), b.mac(dev));
            Traffic.assertNeighbour(b, dev, l.leftV4(), a.mac(dev));
        }
        if (sc.has(INNER_V6)) {
            enableInnerV6(a, dev, l.leftV6());
            enableInnerV6(b, dev, l.rightV6());
            Traffic.awaitPing(a, l.rightV6(), Traffic.PING_BUDGET, "IPv6 left -> right through the tunnel");
            Traffic.awaitPing(b, l.leftV6(), Traffic.PING_BUDGET, "IPv6 right -> left through the tunnel");
        }
        if (!sc.has(NO_TCP)) {
            Traffic.tcpTransfer(a, b, sc.has(INNER_V6) ? l.rightV6() : l.rightV4(), l.tcpPort(), l.k(), dir);
        }
        if (sc.has(UDP_BURSTS)) {
            boolean v6 = sc.has(INNER_V6);
            Traffic.udpBursts(a, b, v6 ? l.rightV6() : l.rightV4(), l.udpPort(), UDP_COUNT, dir, "left-to-right");
            Traffic.udpBursts(b, a, v6 ? l.leftV6() : l.leftV4(), l.udpPort(), UDP_COUNT, dir, "right-to-left");
        }
        if (sc.has(REPLAY_REJECTED) || sc.has(REPLAY_REDIRECTS)) {
            checkReplay(sc, l, right, probe);
        }
        left.assertAlive();
        right.assertAlive();
    }

    /** {@code -n} semantics shared by anytun and uanytun: the address is set (checked when ready), UP, MTU 1400. */
    private static void assertIfconfigApplied(TunnelEnd end) {
        String dev = end.spec().devName();
        Netns ns = end.netns();
        if (!ns.linkUp(dev)) {
            throw new AssertionError(end.describe() + ": -n should bring " + dev + " up: " + ns.link(dev).strip());
        }
        int mtu = ns.mtu(dev);
        if (mtu != 1400) {
            throw new AssertionError(end.describe() + ": -n should set MTU 1400 on " + dev + " (like anytun/uanytun), "
                    + "found " + mtu);
        }
    }

    private static void enableInnerV6(Netns ns, String dev, String addr) {
        ns.sysctl("net.ipv6.conf." + dev + ".disable_ipv6", "0");
        ns.ip("addr", "add", addr + "/64", "dev", dev, "nodad");
    }

    private void checkReplay(Scenario sc, Layout l, TunnelEnd right, ReplayProbe probe) {
        Path datagram = probe.latestCapture();
        Pattern replayLine = right.kind().replayLogLine();
        Pattern movedLine = right.kind().remoteChangedLogLine();
        long before = replayLine == null ? 0 : right.process().count(replayLine);
        long movedBefore = movedLine == null ? 0 : right.process().count(movedLine);
        // From namespace C (10.201.2.1), a new address and port, to the right end's address on the C-B link.
        probe.replay(net.c, net.cb.v4(net.c), l.replayPort(), net.cb.v4(net.b), right.spec().effectiveLocalPort(),
                datagram, 2);
        if (sc.has(REPLAY_REJECTED)) {
            if (replayLine != null) {
                right.process().awaitCount(replayLine, before + 1, Duration.ofSeconds(5));
            } else {
                Sleep.millis(500); // let the receiver process the replay before probing its endpoint
            }
            // The right end sends first: if the replay had moved its remote to C, these pings could not be answered.
            Traffic.awaitPing(net.b, l.leftV4(), Duration.ofSeconds(5),
                    "after a replay from a third address, the right end lost its remote: the replayed datagram "
                            + "was accepted and moved the endpoint");
            Traffic.awaitPing(net.a, l.rightV4(), Duration.ofSeconds(5), "left -> right after the replay");
        } else {
            if (movedLine != null) {
                right.process().awaitCount(movedLine, movedBefore + 1, Duration.ofSeconds(5));
            } else {
                Sleep.millis(500); // let the receiver process the replay
            }
            Traffic.PingResult r = Traffic.ping(net.b, l.leftV4(), 3);
            if (r.anyReply()) {
                throw new AssertionError("control experiment: with -w 0 the replay from C should have moved the right "
                        + "end's remote to C (SPEC 11.1), but its pings were still answered, so the replay probe did "
                        + "not reach the receiver\n" + r.output());
            }
            // A fresh packet from the left moves it back.
            Traffic.awaitPing(net.a, l.rightV4(), Traffic.PING_BUDGET, "left -> right after the redirect");
            Traffic.awaitPing(net.b, l.leftV4(), Traffic.PING_BUDGET, "right -> left after the endpoint moved back");
        }
    }
}
