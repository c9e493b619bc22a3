package org.janytun.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.janytun.address.AddressFamily;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Role;
import org.janytun.device.LinuxTunDevice;
import org.janytun.os.Libc;
import org.janytun.session.DropReason;
import org.janytun.session.SatpSession;
import org.janytun.transport.Transport;
import org.janytun.transport.UdpSocket;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an attacker on the path can do to a running forwarder over 127.0.0.1 (a socket pair stands in for the tun
 * device): replayed datagrams from his own address with the default window 0, and datagrams of odd sizes. No root.
 */
class ForwarderHostileInputTest {
    private static final CryptoSuite SUITE = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128,
            AuthAlgorithm.SHA1, 10, null, null, "hostile".getBytes());

    private final Map<DropReason, LongAdder> drops = new EnumMap<>(DropReason.class);
    private int[] devicePair;
    private LinuxTunDevice device;
    private Transport transport;
    private Forwarder forwarder;
    private Connection connection;
    private InetSocketAddress listening;
    private DatagramSocket peer;
    private DatagramSocket attacker;
    private final SatpSession sender = new SatpSession(SUITE, Role.LEFT, 0, 0, DeviceType.TUN, 0);

    @BeforeEach
    void start() throws Exception {
        for (DropReason r : DropReason.values()) {
            drops.put(r, new LongAdder());
        }
        devicePair = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC | Libc.O_NONBLOCK, 0);
        device = LinuxTunDevice.wrap(devicePair[0], "hostile", DeviceType.TUN, false);
        transport = UdpSocket.open("127.0.0.1", 0, AddressFamily.IPV4);
        listening = transport.localAddresses().getFirst();
        peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        attacker = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        // the receiving end as janytun runs by default: -w 0, remote given with -r
        connection = new Connection(new SatpSession(SUITE, Role.RIGHT, 0, 0, DeviceType.TUN, 0),
                (InetSocketAddress) peer.getLocalSocketAddress());
        forwarder = new Forwarder(device, transport, ConnectionTable.single(connection),
                r -> drops.get(r).increment(), () -> { });
        forwarder.start();
    }

    @AfterEach
    void stop() throws Exception {
        forwarder.close();
        device.close();
        Libc.close(devicePair[1]);
        peer.close();
        attacker.close();
    }

    private byte[] sealedPing(int seq) {
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        buf[SatpLayout.INNER_OFFSET] = 0x45; // an IPv4 packet, as far as the payload type goes
        int n = sender.sealAs(buf, 28, 0x0800, seq);
        return java.util.Arrays.copyOf(buf, n);
    }

    private void send(DatagramSocket from, byte[] datagram) throws Exception {
        from.send(new DatagramPacket(datagram, datagram.length, listening));
    }

    private static void await(BooleanSupplier done, String what) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private long dropped(DropReason r) {
        return drops.get(r).sum();
    }

    /** Defect 1: with -w 0, ten replayed datagrams from another address must not take the tunnel over. */
    @Test
    void replaysFromAnotherAddressDoNotMoveTheEndpointWithWindowZero() throws Exception {
        List<byte[]> recorded = new ArrayList<>();
        for (int seq = 0; seq < 10; seq++) {
            recorded.add(sealedPing(seq));
            send(peer, recorded.getLast());
        }
        await(() -> forwarder.counters().packetsIn() == 10, "the peer's 10 packets");
        for (byte[] d : recorded) {
            send(attacker, d);
        }
        // still accepted, as by anytun and uanytun with -w 0 (compatibility) ...
        await(() -> forwarder.counters().packetsIn() == 20, "the 10 replays");
        // ... but none is newer than what the peer sent, so the endpoint stays
        assertEquals(peer.getLocalSocketAddress(), connection.remote());
        // a peer that really moved (NAT rebinding) sends a newer packet from its new address: that one moves it
        send(attacker, sealedPing(10));
        await(() -> forwarder.counters().packetsIn() == 21, "the newer packet");
        assertEquals(attacker.getLocalSocketAddress(), connection.remote());
    }

    /** Defect 9: empty datagrams are counted, and the size check comes before the mux lookup (as the man page says). */
    @Test
    void sizeIsCheckedFirstAndEmptyDatagramsAreCounted() throws Exception {
        send(attacker, new byte[0]);
        await(() -> dropped(DropReason.TOO_SHORT) == 1, "the empty datagram counted as too short " + drops);
        byte[] shortWrongMux = new byte[SatpLayout.HEADER_LENGTH + 3];
        shortWrongMux[SatpLayout.MUX_OFFSET + 1] = 9;
        send(attacker, shortWrongMux);
        await(() -> dropped(DropReason.TOO_SHORT) == 2, "a short datagram of another mux counted as too short " + drops);
        byte[] longWrongMux = new byte[SatpLayout.MAX_DATAGRAM + 100];
        longWrongMux[SatpLayout.MUX_OFFSET + 1] = 9;
        send(attacker, longWrongMux);
        await(() -> dropped(DropReason.OVERSIZE) == 1, "a long datagram of another mux counted as oversize " + drops);
        byte[] wrongMux = new byte[SatpLayout.HEADER_LENGTH + 40];
        wrongMux[SatpLayout.MUX_OFFSET + 1] = 9;
        send(attacker, wrongMux);
        await(() -> dropped(DropReason.WRONG_MUX) == 1, "a well-sized datagram of another mux " + drops);
        assertEquals(2, dropped(DropReason.TOO_SHORT));
        assertEquals(1, dropped(DropReason.OVERSIZE));
    }
}
