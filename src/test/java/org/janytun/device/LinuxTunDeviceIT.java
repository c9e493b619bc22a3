package org.janytun.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.janytun.os.Libc;
import org.janytun.os.NetNamespace;
import org.janytun.os.OsException;
import org.janytun.wire.DeviceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real tun/tap devices inside a network namespace that this test creates and deletes. All traffic stays between
 * the test and the kernel of that namespace (written into and read back from the device).
 */
class LinuxTunDeviceIT {
    private static final int OFFSET = 32; // room the daemon keeps in front of the inner packet
    private static String ns;
    private final List<TunDevice> open = new ArrayList<>();

    @BeforeAll
    static void createNamespace() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "needs root");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        ns = "jt-os-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        run("ip", "netns", "add", ns);
    }

    @AfterAll
    static void deleteNamespace() throws Exception {
        if (ns != null) {
            run("ip", "netns", "del", ns);
        }
    }

    @AfterEach
    void closeDevices() {
        open.forEach(TunDevice::close);
    }

    private LinuxTunDevice openInNs(String name, DeviceType type) throws Exception {
        LinuxTunDevice dev = NetNamespace.callIn(ns, () -> LinuxTunDevice.open(name, type));
        open.add(dev);
        return dev;
    }

    @Test
    void kernelChosenAndExplicitNames() throws Exception {
        LinuxTunDevice a = openInNs(null, DeviceType.TUN);
        LinuxTunDevice b = openInNs("", DeviceType.TUN);
        LinuxTunDevice c = openInNs("jtun7", DeviceType.TUN);
        LinuxTunDevice d = openInNs(null, DeviceType.TAP);
        assertTrue(a.name().matches("tun\\d+"), a.name());
        assertTrue(b.name().matches("tun\\d+"), b.name());
        assertNotEquals(a.name(), b.name());
        assertEquals("jtun7", c.name());
        assertTrue(d.name().matches("tap\\d+"), d.name());
        assertEquals(DeviceType.TAP, d.type());
        for (LinuxTunDevice dev : List.of(a, b, c)) {
            assertTrue(run("ip", "-n", ns, "-d", "link", "show", "dev", dev.name()).contains("tun type tun"), dev.name());
        }
        assertTrue(run("ip", "-n", ns, "-d", "link", "show", "dev", d.name()).contains("tun type tap"));
        assertThrows(IllegalArgumentException.class, () -> LinuxTunDevice.open("a234567890123456", DeviceType.TUN));
        // a device is not persistent: it goes away with its fd
        c.close();
        awaitGone(c.name());
    }

    @Test
    void tunIpv4EchoThroughIpDashN() throws Exception {
        LinuxTunDevice dev = openInNs(null, DeviceType.TUN);
        InterfaceConfigurator.inNamespace(ns).configure(dev.name(), "10.213.1.1/30");
        assertConfigured(dev.name(), "inet 10.213.1.1/30");
        ping4(dev, "10.213.1.2", "10.213.1.1");
    }

    /**
     * The JDK spawns a child from the calling thread, so {@code ip} run from a thread inside the namespace works in
     * the namespace, with no {@code -n} or {@code ip netns exec}.
     */
    @Test
    void ipSpawnedFromAThreadInTheNamespaceWorksThere() throws Exception {
        LinuxTunDevice dev = NetNamespace.callIn(ns, () -> {
            LinuxTunDevice d = LinuxTunDevice.open(null, DeviceType.TUN);
            open.add(d);
            new InterfaceConfigurator().configure(d.name(), "10.213.2.1/30");
            return d;
        });
        assertConfigured(dev.name(), "inet 10.213.2.1/30");
        assertFalse(run("ip", "-o", "addr", "show").contains("10.213.2.1/"), "the address leaked into the host namespace");
        ping4(dev, "10.213.2.2", "10.213.2.1");
    }

    @Test
    void tunIpv6Echo() throws Exception {
        LinuxTunDevice dev = openInNs("jt6tun", DeviceType.TUN);
        InterfaceConfigurator.inNamespace(ns).configure(dev.name(), "fd00:213:6::1/64");
        assertConfigured(dev.name(), "inet6 fd00:213:6::1/64");
        byte[] peer = InetAddress.ofLiteral("fd00:213:6::2").getAddress();
        byte[] self = InetAddress.ofLiteral("fd00:213:6::1").getAddress();
        byte[] payload = "jAnytun v6 echo".getBytes(StandardCharsets.US_ASCII);
        byte[] request = Packets.icmp6Echo(peer, self, 0x6a76, 1, payload);
        byte[] reply = awaitPacket(dev, p -> Packets.isIcmp6EchoReply(p, self, peer, 0x6a76, 1, payload),
                () -> write(dev, request));
        assertEquals(request.length, reply.length);
    }

    @Test
    void tapAnswersArp() throws Exception {
        LinuxTunDevice dev = openInNs("jtap3", DeviceType.TAP);
        InterfaceConfigurator.inNamespace(ns).configure(dev.name(), "10.213.3.1/30");
        String link = assertConfigured(dev.name(), "inet 10.213.3.1/30");
        String macText = link.replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1");
        byte[] tapMac = HexFormat.ofDelimiter(":").parseHex(macText);
        byte[] ourMac = {0x02, 0x6a, 0x74, 0, 0, 2};
        byte[] ourIp = InetAddress.ofLiteral("10.213.3.2").getAddress();
        byte[] tapIp = InetAddress.ofLiteral("10.213.3.1").getAddress();
        byte[] request = Packets.arpRequest(ourMac, ourIp, tapIp);
        awaitPacket(dev, f -> Packets.isArpReply(f, tapMac, tapIp, ourMac, ourIp), () -> write(dev, request));
    }

    @Test
    void closeWakesABlockedReaderAndRemovesTheDevice() throws Exception {
        LinuxTunDevice dev = openInNs(null, DeviceType.TUN); // down: no traffic at all
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return dev.read(new byte[][] {new byte[2048]}, new int[1], OFFSET, 30_000);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().name("blocked-reader").start(r));
        Thread.sleep(300);
        assertFalse(reader.isDone());
        long t0 = System.nanoTime();
        dev.close();
        assertEquals(-1, reader.get(2, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
        awaitGone(dev.name());
    }

    @Test
    void aBadPacketIsReportedAndTheRestOfTheBatchIsWritten() throws Exception {
        LinuxTunDevice dev = openInNs(null, DeviceType.TUN);
        InterfaceConfigurator.inNamespace(ns).configure(dev.name(), "10.213.4.1/30");
        byte[] peer = InetAddress.ofLiteral("10.213.4.2").getAddress();
        byte[] self = InetAddress.ofLiteral("10.213.4.1").getAddress();
        byte[] payload = {1, 2, 3};
        byte[] good = Packets.icmp4Echo(peer, self, 77, 1, payload);
        byte[] bad = {0x00, 0x01, 0x02, 0x03}; // IP version 0: with IFF_NO_PI the kernel cannot tell the protocol
        OsException e = assertThrows(OsException.class,
                () -> dev.write(new byte[][] {bad, good}, new int[2], new int[] {bad.length, good.length}, 2));
        assertEquals(Libc.EINVAL, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains("1 of 2 packets failed"), e.getMessage());
        awaitPacket(dev, p -> Packets.isIcmp4EchoReply(p, self, peer, 77, 1, payload), () -> { });
    }

    @Test
    void aBatchOfOneUdpFlowGoesInAsOneUsoWriteAndArrivesAsDatagrams() throws Exception {
        LinuxTunDevice dev = openInNs(null, DeviceType.TUN);
        assertTrue(dev.offloads().contains("USO4"), "this kernel takes USO (Linux >= 6.2): " + dev.offloads());
        InterfaceConfigurator.inNamespace(ns).configure(dev.name(), "10.213.5.1/24");
        byte[] peer = InetAddress.ofLiteral("10.213.5.2").getAddress();
        byte[] self = InetAddress.ofLiteral("10.213.5.1").getAddress();
        try (DatagramChannel socket = NetNamespace.callIn(ns, () -> DatagramChannel.open()
                .bind(new InetSocketAddress(InetAddress.getByAddress(self), 5201)))) {
            int count = 50; // 49 of 36 bytes, the last of 9: one merged write of 50, cut again by the kernel
            byte[][] bufs = new byte[count][];
            int[] offsets = new int[count];
            int[] sizes = new int[count];
            byte[][] payloads = new byte[count][];
            for (int i = 0; i < count; i++) {
                payloads[i] = new byte[i == count - 1 ? 9 : 36];
                ThreadLocalRandom.current().nextBytes(payloads[i]);
                payloads[i][0] = (byte) i;
                byte[] packet = Packets.udp(peer, self, 40000, 5201, payloads[i]);
                bufs[i] = new byte[OFFSET + packet.length];
                System.arraycopy(packet, 0, bufs[i], OFFSET, packet.length);
                offsets[i] = OFFSET;
                sizes[i] = packet.length;
            }
            dev.write(bufs, offsets, sizes, count);
            ByteBuffer in = ByteBuffer.allocate(2048);
            socket.configureBlocking(false);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            for (int i = 0; i < count; ) {
                in.clear();
                InetSocketAddress from = (InetSocketAddress) socket.receive(in);
                if (from == null) {
                    assertTrue(System.nanoTime() < deadline, "only " + i + " of " + count + " datagrams in 5 s");
                    Thread.sleep(5);
                    continue;
                }
                assertEquals(new InetSocketAddress(InetAddress.getByAddress(peer), 40000), from);
                assertArrayEquals(payloads[i], Arrays.copyOf(in.array(), in.position()), "datagram " + i);
                i++;
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static void ping4(TunDevice dev, String peerText, String selfText) throws Exception {
        byte[] peer = InetAddress.ofLiteral(peerText).getAddress();
        byte[] self = InetAddress.ofLiteral(selfText).getAddress();
        byte[] payload = "jAnytun echo test payload".getBytes(StandardCharsets.US_ASCII);
        int id = ThreadLocalRandom.current().nextInt(1, 0xffff);
        byte[] request = Packets.icmp4Echo(peer, self, id, 1, payload);
        byte[] reply = awaitPacket(dev, p -> Packets.isIcmp4EchoReply(p, self, peer, id, 1, payload),
                () -> write(dev, request));
        assertEquals(request.length, reply.length);
    }

    private static void write(TunDevice dev, byte[] packet) {
        byte[] buf = new byte[OFFSET + packet.length];
        System.arraycopy(packet, 0, buf, OFFSET, packet.length);
        try {
            dev.write(new byte[][] {buf}, new int[] {OFFSET}, new int[] {packet.length}, 1);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /**
     * Reads packets until one matches (others, e.g. IPv6 router solicitations, are skipped), calling {@code send}
     * first and again every 500 ms. Checks that the bytes in front of the offset stay untouched.
     */
    private static byte[] awaitPacket(TunDevice dev, Predicate<byte[]> match, Runnable send) throws IOException {
        byte[][] bufs = {new byte[2048]};
        int[] sizes = new int[1];
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long nextSend = 0;
        while (System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextSend) {
                send.run();
                nextSend = System.nanoTime() + Duration.ofMillis(500).toNanos();
            }
            Arrays.fill(bufs[0], 0, OFFSET, (byte) 0x5a);
            int n = dev.read(bufs, sizes, OFFSET, 100);
            assertTrue(n == 0 || n == 1, "read returned " + n);
            if (n == 1) {
                for (int i = 0; i < OFFSET; i++) {
                    assertEquals(0x5a, bufs[0][i], "byte " + i + " in front of the offset was written");
                }
                byte[] p = Arrays.copyOfRange(bufs[0], OFFSET, OFFSET + sizes[0]);
                if (match.test(p)) {
                    return p;
                }
                seen.add(Packets.hex(p));
            }
        }
        return fail("no matching packet within 10 s; read instead: " + seen);
    }

    /** Checks address, MTU 1400 and UP; returns the `ip link` output. */
    private static String assertConfigured(String dev, String inet) throws Exception {
        String addr = run("ip", "-n", ns, "-o", "addr", "show", "dev", dev);
        assertTrue(addr.contains(inet), addr);
        String link = run("ip", "-n", ns, "link", "show", "dev", dev);
        assertTrue(link.contains(" mtu 1400 "), link);
        assertTrue(link.matches("(?s)[^<]*<([^>]*,)?UP[,>].*"), link);
        return link;
    }

    private static void awaitGone(String dev) throws Exception {
        for (int i = 0; i < 40; i++) {
            if (exec("ip", "-n", ns, "link", "show", "dev", dev).exitValue() != 0) {
                return;
            }
            Thread.sleep(50);
        }
        fail(dev + " still exists after close()");
    }

    private static String run(String... cmd) throws Exception {
        Process p = exec(cmd);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
                    + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Process exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " hung");
        }
        return p;
    }
}
