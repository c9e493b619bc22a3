package org.janytun.warmup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.janytun.connection.Connection;
import org.janytun.connection.ConnectionTable;
import org.janytun.crypto.Role;
import org.janytun.crypto.Suite;
import org.janytun.datapath.Forwarder;
import org.janytun.device.Checksum;
import org.janytun.os.PollSet;
import org.janytun.wire.DeviceType;
import org.janytun.device.LinuxTunDevice;
import org.janytun.device.TunDevice;
import org.janytun.os.Libc;
import org.janytun.os.OsException;
import org.janytun.session.PacketResult;
import org.janytun.session.SatpSession;
import org.janytun.session.SendLease;
import org.janytun.address.AddressFamily;
import org.janytun.transport.Transport;
import org.janytun.transport.UdpSocket;
import org.janytun.wire.SatpLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets the data path compiled before the first packets need it. SATP's per-packet key schedule, AES-CTR and
 * HMAC-SHA1 are fast only once C2 has compiled the JDK's crypto code with its AES and SHA intrinsics, and the FFM
 * downcalls only once C2 has compiled their method handle chains: interpreted or at C1 a small packet costs
 * 50–300 µs per seal or open instead of about 1 µs. A daemon that carries only a ping every few milliseconds would
 * take minutes to reach the compile thresholds (measured: 1.3–1.9 ms average RTT through two cold daemons against
 * about 0.2 ms warm).
 *
 * <p>So at start-up a thread at nice 19 runs a <em>twin</em> of the tunnel inside the process: two
 * {@link Forwarder}s whose devices are {@code AF_UNIX} socket pairs (speaking virtio_net_hdr when the real device
 * does) and whose sockets are on 127.0.0.1, with a throwaway key, and pushes packets through them: large TCP
 * segments and small packets, both ways. That runs the very code the tunnel runs — device read and segmentation,
 * seal, sendmmsg, recvmmsg, open, coalescing, device write — until C2 has compiled it. Nothing leaves the process,
 * and the tunnel's own sessions and sequence numbers are not touched. Where 127.0.0.1 is unusable, only seal and
 * open are warmed. It costs about 0.5–1 s of one core's time, once; the packet threads keep their priority.
 */
public final class JitWarmup {
    private static final Logger log = LoggerFactory.getLogger(JitWarmup.class);
    /** Packets per direction through the twin: past the C2 thresholds of the per-packet code (5,000 calls); measured: no lower RTT with more. */
    static final int PACKETS = 6_000;
    /**
     * Ping-like exchanges (each one small packet and its answer). {@value #EARLY_EXCHANGES} of them run early in the
     * flood, after its first {@value #FLOOD_BEFORE_EXCHANGES} packets (which get the first-use linking done): a
     * user's first pings take that path, and the twin gives way to them (see {@link TrafficYield}), so the flood must
     * not come first. The rest follow the flood: on code not yet compiled an exchange takes ≈ 0.3 ms (two threads'
     * wake-ups), and all 2,500 early made the warm-up 0.75-0.8 s instead of 0.3 s on a quiet machine, into the
     * seconds after the start that are to be quiet (bench/startup: 12.6 % busy 2-4 s after the start instead of 2 %).
     */
    public static final int SPARSE_ROUNDS = 2_500;
    /** Ping-like exchanges early in the flood (the rest of {@link #SPARSE_ROUNDS} follow it). */
    static final int EARLY_EXCHANGES = 400;
    /** Flood packets before the ping-like exchanges. */
    static final int FLOOD_BEFORE_EXCHANGES = 256;
    /** Seal+open pairs when there is no twin. */
    static final int CRYPTO_ITERATIONS = 12_000;
    private static final long MAX_NANOS = 6_000_000_000L;
    private static final long START_DELAY_MILLIS = 1000;
    /** How long the tunnel must be without packets before the full collection after the warm-up. */
    static final long QUIET_MILLIS = 1000;
    /** After this long without such a pause the collection is left out. */
    static final long QUIET_GIVE_UP_MILLIS = 120_000;
    /** The twin pauses until the tunnel has carried no packet for this long (a ping every 10 ms keeps it paused). */
    static final long YIELD_QUIET_MILLIS = 100;
    private static final int FLOW_BYTES = 20_000; // one large TCP segment: ~15 packets at MTU 1400

    private JitWarmup() {
    }

    /** A twin's loop thread: named as a warm-up thread, at nice 19. */
    private static Thread niceThread(String name, Runnable body) {
        return Thread.ofPlatform().name("janytun-warmup-" + name).daemon().unstarted(() -> {
            niceThisThread();
            body.run();
        });
    }

    /** Lowers the calling thread to nice 19, if the system lets it. */
    static void niceThisThread() {
        try {
            Libc.niceThisThread(19);
        } catch (OsException | RuntimeException ignored) {
            // not fatal: the warm-up then competes at normal priority for a moment
        }
    }

    /**
     * Starts the warm-up on a daemon thread once the tunnel has carried its first packet (the start-up is measured up
     * to the first ping that passes, and the warm-up's compilations would compete with it) or after
     * {@value #START_DELAY_MILLIS} ms; it stops early when {@code keepGoing} turns false. {@code tunnelPackets} counts
     * the tunnel's packets (in and out): the first one starts the warm-up, the twin gives way to them
     * ({@link TrafficYield}), and the full collection after it waits until they stop for a moment. (Starting at the
     * first packet from the peer instead, i.e. not at the kernel's own IPv6 solicitations on the new device, was
     * tried: bench/startup, quiet, three starts each: first ping 0.92 s against 0.74, the machine 9-12.6 % busy 2-4 s
     * after the start against 1.5 %: the warm-up then ends later, and C2's work for it with it.)
     */
    public static Thread start(SatpSession like, TunDevice realDevice, BooleanSupplier keepGoing,
            LongSupplier tunnelPackets) {
        boolean vnet = realDevice instanceof LinuxTunDevice l && l.vnetHdr();
        Thread t = Thread.ofPlatform().name("janytun-warmup").daemon().unstarted(() -> {
            niceThisThread();
            try {
                long until = System.nanoTime() + START_DELAY_MILLIS * 1_000_000L;
                while (keepGoing.getAsBoolean() && tunnelPackets.getAsLong() == 0 && System.nanoTime() - until < 0) {
                    Thread.sleep(10);
                }
                Thread.sleep(50); // the first reply is still on its way back
            } catch (InterruptedException e) {
                return;
            }
            long t0 = System.nanoTime();
            try {
                int packets = Integer.getInteger("janytun.warmup.packets", PACKETS);
                TrafficYield yield = new TrafficYield(tunnelPackets);
                TwinRun run = runTwin(like.suite(), like.deviceType(), vnet, packets, SPARSE_ROUNDS, keepGoing, yield);
                int n = run.packets();
                String how = n + " packets each way and " + run.exchanges()
                        + " ping-like exchanges through a twin of the data path";
                if (n == 0) {
                    n = runCrypto(like.suite(), like.deviceType(), CRYPTO_ITERATIONS, keepGoing);
                    how = n + " packets sealed and opened (no twin: 127.0.0.1 unusable)";
                }
                if (yield.pauses() > 0) {
                    how += ", giving way " + yield.pauses() + " times for " + yield.pausedNanos() / 1_000_000
                            + " ms to the tunnel's packets";
                }
                log.info("JIT warm-up: {} in {} ms", how, (System.nanoTime() - t0) / 1_000_000);
                Thread.currentThread().setName("janytun-trim");
                if (!"off".equals(System.getProperty("janytun.warmup.gc"))) {
                    // The twin's buffers (heap and native, the latter freed only when the GC finds their segments
                    // unreachable) are garbage now, much of it already in the old generation: one full collection
                    // gives it back (~1 MiB resident) at once instead of whenever the old generation fills up. It
                    // stops every thread for 10-40 ms, so it waits for a quiet tunnel: right after the start a
                    // user's first pings are passing, and a ping must not meet such a pause.
                    if (awaitQuiet(keepGoing, tunnelPackets)) {
                        System.gc();
                    }
                }
                trimWhileRunning(keepGoing);
            } catch (IOException | RuntimeException e) {
                log.warn("JIT warm-up failed: {}", e.toString());
            }
        });
        t.start();
        return t;
    }

    /**
     * Waits until the tunnel has carried no packet for {@value #QUIET_MILLIS} ms; true then, false when the daemon
     * stops or the tunnel stays busy for {@value #QUIET_GIVE_UP_MILLIS} ms (a busy tunnel allocates enough for the
     * young collections to move the garbage along, and a full collection there would hit its traffic).
     */
    static boolean awaitQuiet(BooleanSupplier keepGoing, LongSupplier tunnelPackets) {
        long giveUp = System.nanoTime() + QUIET_GIVE_UP_MILLIS * 1_000_000L;
        long seen = tunnelPackets.getAsLong();
        long quietSince = System.nanoTime();
        while (keepGoing.getAsBoolean() && System.nanoTime() - giveUp < 0) {
            try {
                Thread.sleep(QUIET_MILLIS / 4);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            long now = tunnelPackets.getAsLong();
            if (now != seen) {
                seen = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= QUIET_MILLIS * 1_000_000L) {
                return true;
            }
        }
        return false;
    }

    /**
     * The JIT's compiler threads allocate and free tens of MiB of C heap while they compile (the warm-up's and, later,
     * whatever traffic makes hot); glibc keeps freed memory resident. So this thread, once the warm-up is done, gives
     * it back with malloc_trim every 2 s while the tunnel runs ({@code -Djanytun.trim-ms}): each new kind of traffic
     * (a first bulk transfer, a first UDP flood) makes the compiler run again, and a trim soon after keeps the
     * resident set down (measured right after such a burst: 69–73 MiB against 74–86 MiB with trims at 2, 4, 8, ...
     * s). A trim with little to give back costs well under a millisecond of this thread's time.
     */
    private static void trimWhileRunning(BooleanSupplier keepGoing) {
        long delay = Math.max(100, Long.getLong("janytun.trim-ms", 2000));
        try {
            while (keepGoing.getAsBoolean()) {
                long until = System.currentTimeMillis() + delay;
                while (keepGoing.getAsBoolean() && System.currentTimeMillis() < until) {
                    Thread.sleep(Math.min(1000, Math.max(1, until - System.currentTimeMillis())));
                }
                Libc.mallocTrim();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Pushes {@code packets} packets each way through a twin, with {@code exchanges} ping-like exchanges after the
     * first {@value #FLOOD_BEFORE_EXCHANGES}; returns how many of the packets arrived at the far end (0 when the twin
     * could not run) and how many exchanges completed.
     */
    public static TwinRun runTwin(Suite like, DeviceType type, boolean vnet, int packets, int exchanges,
            BooleanSupplier keepGoing)
            throws IOException {
        return runTwin(like, type, vnet, packets, exchanges, keepGoing, TrafficYield.NEVER);
    }

    /** {@link #runTwin(Suite, DeviceType, boolean, int, int, BooleanSupplier)}, pausing while {@code yield} says. */
    static TwinRun runTwin(Suite like, DeviceType type, boolean vnet, int packets, int exchanges,
            BooleanSupplier keepGoing, TrafficYield yield)
            throws IOException {
        Suite suite = like.throwaway();
        int[] pa = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC | Libc.O_NONBLOCK, 0);
        int[] pb = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC | Libc.O_NONBLOCK, 0);
        LinuxTunDevice da = null;
        LinuxTunDevice db = null;
        Transport ta = null;
        Transport tb = null;
        Forwarder fa = null;
        Forwarder fb = null;
        try {
            da = LinuxTunDevice.wrap(pa[0], "warmup-a", type, vnet);
            db = LinuxTunDevice.wrap(pb[0], "warmup-b", type, vnet);
            try {
                ta = UdpSocket.open("127.0.0.1", 0, AddressFamily.IPV4);
                tb = UdpSocket.open("127.0.0.1", 0, AddressFamily.IPV4);
            } catch (IOException e) {
                return new TwinRun(0, 0); // no loopback
            }
            InetSocketAddress aAddr = ta.localAddresses().getFirst();
            InetSocketAddress bAddr = tb.localAddresses().getFirst();
            // A's session seals under a sequence lease (as a daemon with a state directory does), B's without (as
            // one without): both branches of the seal then reach C2, not only the one the twin happens to take.
            SatpSession leased = new SatpSession(suite, Role.LEFT, 1, 0, type, 0);
            SendLease lease = new SendLease(() -> { });
            lease.grant(SendLease.END, SendLease.END);
            leased.useLease(lease);
            Connection ca = new Connection(leased, bAddr);
            Connection cb = new Connection(new SatpSession(suite, Role.RIGHT, 2, 0, type, 0), aAddr);
            fa = new Forwarder(da, ta, ConnectionTable.single(ca), r -> { }, () -> { }, JitWarmup::niceThread);
            fb = new Forwarder(db, tb, ConnectionTable.single(cb), r -> { }, () -> { }, JitWarmup::niceThread);
            fa.start();
            fb.start();
            return drive(pa[1], pb[1], vnet, packets, exchanges, keepGoing, yield);
        } finally {
            if (fa != null) {
                fa.close();
            } else if (ta != null) {
                ta.close();
            }
            if (fb != null) {
                fb.close();
            } else if (tb != null) {
                tb.close();
            }
            if (da != null) {
                da.close();
            } else {
                Libc.close(pa[0]);
            }
            if (db != null) {
                db.close();
            } else {
                Libc.close(pb[0]);
            }
            Libc.close(pa[1]);
            Libc.close(pb[1]);
        }
    }

    /** Plays the kernel on both ends: writes packets into A's device, drains B's (and a few the other way). */
    private static TwinRun drive(int a, int b, boolean vnet, int packets, int exchanges, BooleanSupplier keepGoing,
            TrafficYield yield) {
        Libc.CallState st = new Libc.CallState();
        PollSet pollB = new PollSet(1, st);
        pollB.addReadable(b);
        byte[] out = new byte[VNET + 40 + FLOW_BYTES];
        byte[] in = new byte[70_000];
        byte[] payload = new byte[FLOW_BYTES];
        ThreadLocalRandom.current().nextBytes(payload);
        int seqAB = 1;
        int seqBA = 1;
        int arrived = 0;
        int early = Math.min(EARLY_EXCHANGES, exchanges);
        boolean earlyRan = false;
        int exchanged = 0;
        long deadline = System.nanoTime() + MAX_NANOS;
        int segmentsPerFlow = (FLOW_BYTES + 1359) / 1360;
        for (int round = 0; arrived < packets && keepGoing.getAsBoolean() && System.nanoTime() - deadline < 0;
             round++) {
            long paused = yield.await(keepGoing);
            if (paused < 0) {
                break; // the tunnel stayed busy: its own traffic compiles the data path
            }
            deadline += paused;
            // a large TCP segment (or as many MTU-sized packets) from A, a small packet from B. Their lengths vary
            // from round to round so that SHA-1's padding and partial blocks see every length modulo 64: code that the
            // warm-up compiled for some lengths only is thrown away (an "unstable if") by the first packet of another
            // length, and then runs interpreted until traffic makes it hot again, which a ping never does.
            int flow = FLOW_BYTES - (round & 63) * 7;
            if (vnet) {
                int len = tcp(out, VNET, seqAB, flow, payload, true);
                Libc.write(st, a, out, 0, len);
            } else {
                for (int k = 0; k < segmentsPerFlow; k++) {
                    int len = tcp(out, 0, seqAB + k * 1360, Math.min(1360, flow - k * 1360), payload, false);
                    Libc.write(st, a, out, 0, len);
                }
            }
            seqAB += flow;
            int len = small(out, vnet, round, seqBA, round & 63, payload);
            Libc.write(st, b, out, 0, len);
            // collect what arrived on both sides, waiting briefly for the far end
            // the first packets go through cold code and first-use linking: give them up to 3 s
            long until = System.nanoTime() + (arrived == 0 ? 3_000_000_000L : 20_000_000L);
            int got = 0;
            while (got < segmentsPerFlow && System.nanoTime() - until < 0) {
                int n = Libc.read(st, b, in, 0, in.length);
                if (n > 0) {
                    got += vnet ? Math.max(1, segments(in, n)) : 1;
                } else {
                    pollB.poll(5);
                }
                while (Libc.read(st, a, in, 0, in.length) > 0) {
                    // replies: drained
                }
            }
            if (got == 0 && arrived == 0) {
                return new TwinRun(0, 0); // nothing gets through (no loopback route): give up
            }
            arrived += got;
            if (!earlyRan && arrived >= FLOOD_BEFORE_EXCHANGES) {
                earlyRan = true;
                exchanged = exchanges(st, a, b, pollB, vnet, early, out, in, payload, keepGoing, yield);
            }
        }
        if (arrived == 0) {
            return new TwinRun(0, 0);
        }
        int rest = exchanges - (earlyRan ? early : 0);
        if (rest > 0) {
            exchanged += exchanges(st, a, b, pollB, vnet, rest, out, in, payload, keepGoing, yield);
        }
        return new TwinRun(arrived, exchanged);
    }

    private static int exchanges(Libc.CallState st, int a, int b, PollSet pollB, boolean vnet, int exchanges,
            byte[] out, byte[] in, byte[] payload, BooleanSupplier keepGoing, TrafficYield yield) {
        PollSet pollA = new PollSet(1, st);
        pollA.addReadable(a);
        return pingPong(st, a, b, pollA, pollB, vnet, exchanges, out, in, payload, keepGoing, yield);
    }

    /** What went through a twin: packets each way in the flood, with the ping-like exchanges early in it. */
    public record TwinRun(int packets, int exchanges) {
    }

    /**
     * Sparse traffic, one small packet at a time and its answer, as a ping: the flood above keeps both twins' sending
     * stages on their device threads, so the path a ping takes (the receiving thread writes the datagram to the
     * device, sends the device's answer itself and spins for the next one) would otherwise stay interpreted, and at
     * 100 pings/s reach C2 only after minutes (seen with {@code -Xlog:jit+compilation}: {@code sendShared},
     * {@code armSpin} and the send downcall compiled at tier 3 only during a ping test after the warm-up).
     */
    private static int pingPong(Libc.CallState st, int a, int b, PollSet pollA, PollSet pollB, boolean vnet,
            int rounds, byte[] out, byte[] in, byte[] payload, BooleanSupplier keepGoing, TrafficYield yield) {
        long deadline = System.nanoTime() + MAX_NANOS / 2;
        int i = 0;
        for (; i < rounds && keepGoing.getAsBoolean() && System.nanoTime() - deadline < 0; i++) {
            long paused = yield.await(keepGoing);
            if (paused < 0) {
                break;
            }
            deadline += paused;
            int len = small(out, vnet, i, i, 1 + (i & 63), payload);
            Libc.write(st, a, out, 0, len);
            if (!arrives(st, b, pollB, in)) {
                break;
            }
            Libc.write(st, b, out, 0, len); // the answer
            if (!arrives(st, a, pollA, in)) {
                break;
            }
        }
        return i;
    }

    /**
     * Waits up to 250 ms for a packet on a twin's device end; true when one came. The twin's threads run at nice 19,
     * so on a busy machine an exchange can take tens of milliseconds (seen: 20 ms and more while other work ran).
     */
    private static boolean arrives(Libc.CallState st, int fd, PollSet poll, byte[] in) {
        long until = System.nanoTime() + 250_000_000L;
        while (System.nanoTime() - until < 0) {
            if (Libc.read(st, fd, in, 0, in.length) > 0) {
                return true;
            }
            poll.poll(5);
        }
        return false;
    }

    private static final int VNET = 10;

    /**
     * A small packet as the kernel hands them over, of the kind {@code i} picks: an IPv4 TCP segment (with a partial
     * checksum to complete, NEEDS_CSUM, behind a virtio_net_hdr), an IPv4 ICMP packet with its checksum complete (a
     * ping), an IPv4 UDP datagram (a name lookup; UDP coalescing on write), or an IPv6 packet (the kernel's own
     * neighbour discovery on a new tun device). Each kind takes its own branches in the data path
     * ({@code GsoSplitter}, {@code PayloadType}, {@code GroCoalescer}); code that C2 compiled having seen one kind
     * only is thrown away at the first packet of another (measured: an "unstable if" in each at the first real
     * packets after the warm-up, and the methods back at C1 while the first pings passed).
     */
    private static int small(byte[] out, boolean vnet, int i, int seq, int length, byte[] payload) {
        int off = vnet ? VNET : 0;
        int len;
        switch (i & 3) {
            case 0, 1 -> {
                len = tcp(out, off, seq, length, payload, vnet);
                if (vnet) {
                    out[1] = 0; // GSO_NONE, NEEDS_CSUM
                }
                return len;
            }
            case 2 -> len = ipv6(out, off, length, payload);
            default -> {
                if ((i & 4) != 0) {
                    return udp(out, off, length, payload);
                }
                len = tcp(out, off, seq, length, payload, false);
                out[off + 9] = 1; // ICMP: not for TCP coalescing
                Checksum.fixIpv4Header(out, off, 20);
            }
        }
        java.util.Arrays.fill(out, 0, off, (byte) 0); // virtio_net_hdr: nothing to do
        return len;
    }

    /**
     * Zeroes {@code b[0, off + 40)} (the virtio_net_hdr's room, the IP header, room for a transport header) and
     * writes an IPv4 header 10.255.0.1 -> 10.255.0.2 (TTL 64, DF when asked) with its checksum.
     */
    private static void ipv4(byte[] b, int off, int total, int protocol, boolean dontFragment) {
        java.util.Arrays.fill(b, 0, off + 40, (byte) 0);
        b[off] = 0x45;
        b[off + 2] = (byte) (total >>> 8);
        b[off + 3] = (byte) total;
        b[off + 6] = (byte) (dontFragment ? 0x40 : 0);
        b[off + 8] = 64;
        b[off + 9] = (byte) protocol;
        b[off + 12] = 10; b[off + 13] = (byte) 255; b[off + 14] = 0; b[off + 15] = 1;
        b[off + 16] = 10; b[off + 17] = (byte) 255; b[off + 18] = 0; b[off + 19] = 2;
        Checksum.fixIpv4Header(b, off, 20);
    }

    /** An IPv4 UDP datagram 10.255.0.1:40000 -> 10.255.0.2:53, checksums complete, behind a zero virtio_net_hdr. */
    private static int udp(byte[] b, int off, int length, byte[] payload) {
        int total = 28 + length;
        ipv4(b, off, total, 17, false);
        int u = off + 20;
        b[u] = (byte) (40000 >>> 8); b[u + 1] = (byte) 40000;
        b[u + 3] = 53;
        b[u + 4] = (byte) ((8 + length) >>> 8); b[u + 5] = (byte) (8 + length);
        System.arraycopy(payload, 0, b, u + 8, length);
        int c = Checksum.finish(Checksum.add(b, u, 8 + length, Checksum.pseudoHeader(b, off, 4, 17, 8 + length)));
        b[u + 6] = (byte) (c >>> 8);
        b[u + 7] = (byte) c;
        return off + total;
    }

    /** An IPv6 packet fd00::1 -> fd00::2 with {@code length} bytes of no next header; returns the bytes from 0. */
    private static int ipv6(byte[] b, int off, int length, byte[] payload) {
        java.util.Arrays.fill(b, off, off + 40, (byte) 0);
        b[off] = 0x60;
        b[off + 4] = (byte) (length >>> 8);
        b[off + 5] = (byte) length;
        b[off + 6] = 59; // no next header
        b[off + 7] = 64;
        b[off + 8] = (byte) 0xFD;
        b[off + 23] = 1;
        b[off + 24] = (byte) 0xFD;
        b[off + 39] = 2;
        System.arraycopy(payload, 0, b, off + 40, length);
        return off + 40 + length;
    }

    /** How many packets a (possibly merged) write carries: from its virtio_net_hdr. */
    private static int segments(byte[] b, int n) {
        int gsoSize = (b[4] & 0xFF) | (b[5] & 0xFF) << 8;
        int hdrLen = (b[2] & 0xFF) | (b[3] & 0xFF) << 8;
        return b[1] == 0 || gsoSize == 0 ? 1 : (n - VNET - hdrLen + gsoSize - 1) / gsoSize;
    }

    /**
     * Builds an IPv4 TCP segment 10.255.0.1:40000 -> 10.255.0.2:5001 with {@code length} payload bytes at
     * {@code off} of {@code b}; with {@code gso} behind a virtio_net_hdr asking for TSO with a partial checksum (as
     * the kernel hands it over), else with complete checksums. Returns the bytes written from 0.
     */
    private static int tcp(byte[] b, int off, int seq, int length, byte[] payload, boolean gso) {
        int total = 40 + length;
        ipv4(b, off, total, 6, true);
        int t = off + 20;
        b[t] = (byte) (40000 >>> 8); b[t + 1] = (byte) 40000;
        b[t + 2] = (byte) (5001 >>> 8); b[t + 3] = (byte) 5001;
        b[t + 4] = (byte) (seq >>> 24); b[t + 5] = (byte) (seq >>> 16); b[t + 6] = (byte) (seq >>> 8); b[t + 7] = (byte) seq;
        b[t + 11] = 1;
        b[t + 12] = 0x50;
        b[t + 13] = 0x10; // ACK
        b[t + 14] = (byte) 0xFF;
        System.arraycopy(payload, 0, b, t + 20, length);
        long pseudo = Checksum.pseudoHeader(b, off, 4, 6, 20 + length);
        if (gso) {
            int c = Checksum.fold(pseudo);
            b[t + 16] = (byte) (c >>> 8);
            b[t + 17] = (byte) c;
            // virtio_net_hdr: NEEDS_CSUM, GSO_TCPV4, hdr_len 40, gso_size 1360, csum_start 20, csum_offset 16
            b[0] = 1; b[1] = 1; b[2] = 40; b[3] = 0; b[4] = (byte) (1360 & 0xFF); b[5] = (byte) (1360 >>> 8);
            b[6] = 20; b[7] = 0; b[8] = 16; b[9] = 0;
        } else {
            int c = Checksum.finish(Checksum.add(b, t, 20 + length, pseudo));
            b[t + 16] = (byte) (c >>> 8);
            b[t + 17] = (byte) c;
        }
        return off + total;
    }

    /** Seals and opens {@code iterations} packets; returns how many went through (all, unless stopped). */
    public static int runCrypto(Suite tunnelSuite, DeviceType type, int iterations, BooleanSupplier keepGoing) {
        Suite suite = tunnelSuite.throwaway();
        SatpSession sender = new SatpSession(suite, Role.LEFT, 1, 1, type, 0);
        SatpSession receiver = new SatpSession(suite, Role.RIGHT, 2, 1, type, 0);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        ThreadLocalRandom.current().nextBytes(buf);
        PacketResult sealed = new PacketResult();
        PacketResult received = new PacketResult();
        long deadline = System.nanoTime() + MAX_NANOS;
        int maxInner = Math.min(1400, sender.maxInnerLength());
        int done = 0;
        for (; done < iterations; done++) {
            if ((done & 255) == 0 && (!keepGoing.getAsBoolean() || System.nanoTime() - deadline > 0)) {
                break;
            }
            int size = (done & 3) == 3 ? 64 : maxInner;
            buf[SatpLayout.INNER_OFFSET] = 0x45; // IPv4, for a tun session
            if (!sender.seal(buf, size, sealed) || !receiver.open(buf, sealed.datagramLength(), received)) {
                throw new IllegalStateException("a sealed packet did not open (" + sealed.drop() + ", "
                        + received.drop() + ")");
            }
        }
        return done;
    }
}
