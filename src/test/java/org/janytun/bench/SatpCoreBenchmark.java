package org.janytun.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.crypto.AeadSuite;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Role;
import org.janytun.crypto.Suite;
import org.janytun.wire.DeviceType;
import org.janytun.session.PacketResult;
import org.janytun.connection.Connection;
import org.janytun.session.SatpSession;
import org.janytun.session.SendLease;
import org.janytun.wire.SatpLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Packets per second through the SATP packet core, one thread, no I/O: {@code seal} (KDF + encrypt + HMAC) and
 * {@code open} (checks + KDF + verify + decrypt) of one datagram per operation, so ops/s = packets/s.
 * Run it with {@code bin/bench-core}; docs/PERFORMANCE.md has the numbers and how to read them.
 *
 * <ul>
 *   <li>{@code seal}: the real {@link SatpSession#seal} on one reused buffer, taking the next sequence number each
 *       time, so every packet derives fresh keys as SATP requires. The buffer is sealed in place again and again
 *       (the bytes are ciphertext after the first round; the cost of CTR and HMAC does not depend on them). Only
 *       the first inner byte is rewritten to 0x45 each time, because a tun session checks the IP version there.</li>
 *   <li>{@code open}: {@link SatpSession#open} decrypts in place, so every operation first copies one of
 *       {@value #RING} datagrams sealed in advance with consecutive sequence numbers into the working buffer
 *       (the socket read does the same copy in the daemon). The window is 0 because the ring repeats; consecutive
 *       packets still have distinct sequence numbers, so the per-packet key derivation is never skipped.</li>
 *   <li>{@code CopyBaseline.copy}: that copy alone, to show its share of {@code open}.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SatpCoreBenchmark {
    /** Datagrams in the open ring: 256 buffers of 2 KiB (512 KiB) stay in L2, like a datagram fresh from a socket. */
    static final int RING = 256;
    private static final int MUX = 7;

    /**
     * {@code cipher/auth} of the legacy suite (kd-prf is the cipher's size, aes-ctr-N; null/null has the null
     * kd-prf), or an AEAD suite of SATP sessions ({@code aes-256-gcm}, {@code chacha20-poly1305}).
     */
    @Param({"aes-ctr-128/sha1", "null/null", "aes-ctr-256/sha1", "aes-256-gcm", "chacha20-poly1305"})
    public String suite;

    /** Inner packet length (what the tun device hands over), without SATP header, payload type and tag. */
    @Param({"64", "1400"})
    public int size;

    private SatpSession sender;
    /** A server's senders to many clients, each under its own keys: {@link #sealEachConnection} takes them in turn. */
    static final int CONNECTIONS = 1024;
    private SatpSession[] senders;
    private int turn;
    /** Like {@link #sender}, under a sequence lease (never exhausted here): the daemon's sending session. */
    private SatpSession leasedSender;
    /** The receiver behind a connection, as the data path opens ({@link Connection#open}). */
    private Connection connection;
    private SatpSession receiver;
    private final PacketResult received = new PacketResult();
    private final PacketResult sealed = new PacketResult();
    private final byte[] sealBuf = new byte[SatpLayout.BUFFER_SIZE];
    private final byte[] openBuf = new byte[SatpLayout.BUFFER_SIZE];
    private byte[][] ring;
    private int datagramLength;
    private int next;
    private long failures;

    @Setup(Level.Trial)
    public void setUp() {
        Suite s = suite(suite);
        byte[] inner = innerPacket(size);

        SatpSession ringSender = new SatpSession(s, Role.LEFT, 1, MUX, DeviceType.TUN, 0);
        SatpSession check = new SatpSession(s, Role.RIGHT, 2, MUX, DeviceType.TUN, 0);
        ring = new byte[RING][];
        for (int i = 0; i < RING; i++) {
            byte[] b = new byte[SatpLayout.BUFFER_SIZE];
            System.arraycopy(inner, 0, b, SatpLayout.INNER_OFFSET, size);
            datagramLength = ringSender.seal(b, size, sealed) ? sealed.datagramLength() : -1;
            if (datagramLength != SatpLayout.INNER_OFFSET + size + s.tagLength()) {
                throw new IllegalStateException("seal failed: " + datagramLength);
            }
            ring[i] = b;
            // every ring datagram must open to the inner packet, or the benchmark would time the drop path
            byte[] probe = Arrays.copyOf(b, b.length);
            if (!check.open(probe, datagramLength, received) || received.innerLength() != size
                    || !Arrays.equals(probe, SatpLayout.INNER_OFFSET, SatpLayout.INNER_OFFSET + size, inner, 0, size)) {
                throw new IllegalStateException("ring datagram " + i + " does not open: " + received.drop());
            }
        }
        receiver = new SatpSession(s, Role.RIGHT, 2, MUX, DeviceType.TUN, 0);
        sender = new SatpSession(s, Role.LEFT, 1, MUX, DeviceType.TUN, 0);
        sender.setNextSeq(RING); // an AEAD suite refuses to seal the ring's sequence numbers again
        System.arraycopy(inner, 0, sealBuf, SatpLayout.INNER_OFFSET, size);
        senders = new SatpSession[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++) {
            senders[i] = new SatpSession(s.throwaway(), Role.LEFT, 1, MUX, DeviceType.TUN, 0);
        }
        leasedSender = new SatpSession(s, Role.LEFT, 1, MUX, DeviceType.TUN, 0);
        SendLease lease = new SendLease(() -> { });
        lease.grant(SendLease.END, SendLease.END);
        leasedSender.useLease(lease);
        leasedSender.setNextSeq(RING); // as sender
        connection = new Connection(new SatpSession(s, Role.RIGHT, 2, MUX, DeviceType.TUN, 0), (java.net.InetSocketAddress) null);
    }

    @TearDown(Level.Iteration)
    public void noDrops() {
        if (failures != 0) {
            throw new IllegalStateException(failures + " packets failed to seal or open: the numbers are void");
        }
    }

    @Benchmark
    public int seal() {
        sealBuf[SatpLayout.INNER_OFFSET] = 0x45;
        if (!sender.seal(sealBuf, size, sealed)) {
            failures++;
        }
        return sealed.datagramLength();
    }

    /**
     * {@link #seal} for {@value #CONNECTIONS} connections in turn, each with its own keys: the thread's one engine
     * is re-bound to another connection's keys for every packet (the legacy suite: its kd-prf key schedule).
     */
    @Benchmark
    public int sealEachConnection() {
        sealBuf[SatpLayout.INNER_OFFSET] = 0x45;
        if (!senders[turn++ & (CONNECTIONS - 1)].seal(sealBuf, size, sealed)) {
            failures++;
        }
        return sealed.datagramLength();
    }

    /** {@link #seal} with the sequence lease's check (a volatile limit and a compare-and-set). */
    @Benchmark
    public int sealLeased() {
        sealBuf[SatpLayout.INNER_OFFSET] = 0x45;
        if (!leasedSender.seal(sealBuf, size, sealed)) {
            failures++;
        }
        return sealed.datagramLength();
    }

    /** {@link #open} through the connection, as the data path does (it looks for a rotation's other keys). */
    @Benchmark
    public int openConnection() {
        byte[] d = ring[next++ & (RING - 1)];
        System.arraycopy(d, 0, openBuf, 0, datagramLength);
        if (!connection.open(openBuf, datagramLength, received)) {
            failures++;
        }
        return received.innerLength();
    }

    @Benchmark
    public int open() {
        byte[] d = ring[next++ & (RING - 1)];
        System.arraycopy(d, 0, openBuf, 0, datagramLength);
        if (!receiver.open(openBuf, datagramLength, received)) {
            failures++;
        }
        return received.innerLength();
    }

    /**
     * The copy that {@link #open} does first, alone (as {@code SatpCoreBenchmark.CopyBaseline.copy}). Only the
     * datagram size matters to it, so it lives in its own state without the suite parameter.
     */
    @State(Scope.Thread)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public static class CopyBaseline {
        @Param({"64", "1400"})
        public int size;

        private final byte[][] ring = new byte[RING][SatpLayout.BUFFER_SIZE];
        private final byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        private int datagramLength;
        private int next;

        @Setup(Level.Trial)
        public void setUp() {
            // the aes-ctr/sha1 datagram length; the contents do not matter to a copy
            datagramLength = SatpLayout.INNER_OFFSET + size + CryptoSuite.DEFAULT_TAG_LENGTH;
            SplittableRandom r = new SplittableRandom(size);
            for (byte[] b : ring) {
                r.nextBytes(b);
            }
        }

        @Benchmark
        public byte[] copy() {
            byte[] d = ring[next++ & (RING - 1)];
            System.arraycopy(d, 0, buf, 0, datagramLength);
            return buf;
        }
    }

    static Suite suite(String name) {
        byte[] key32 = new byte[32];
        byte[] salt = new byte[CryptoSuite.SALT_LENGTH];
        for (int i = 0; i < key32.length; i++) {
            key32[i] = (byte) (17 * i + 3);
        }
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) (31 * i + 5);
        }
        return switch (name) {
            case "aes-ctr-128/sha1" -> CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128,
                    AuthAlgorithm.SHA1, CryptoSuite.DEFAULT_TAG_LENGTH, Arrays.copyOf(key32, 16), salt, null);
            case "aes-ctr-256/sha1" -> CryptoSuite.of(CtrAlgorithm.AES_CTR_256, CtrAlgorithm.AES_CTR_256,
                    AuthAlgorithm.SHA1, CryptoSuite.DEFAULT_TAG_LENGTH, key32, salt, null);
            case "null/null" -> CryptoSuite.of(CtrAlgorithm.NULL, CtrAlgorithm.NULL, AuthAlgorithm.NULL, 0,
                    null, null, null);
            case "aes-256-gcm", "chacha20-poly1305" -> new AeadSuite(AeadAlgorithm.parse(name).orElseThrow(),
                    key32, Arrays.copyOf(salt, 12), Arrays.copyOf(key32, 32), Arrays.copyOfRange(salt, 2, 14));
            default -> throw new IllegalArgumentException("unknown suite " + name);
        };
    }

    /** An IPv4-looking packet of {@code size} bytes: version nibble 4, the rest random but fixed. */
    private static byte[] innerPacket(int size) {
        byte[] p = new byte[size];
        new SplittableRandom(size).nextBytes(p);
        p[0] = 0x45;
        return p;
    }
}
