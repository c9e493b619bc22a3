package org.janytun.daemon;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.Role;
import org.janytun.device.DeviceType;
import org.janytun.os.Libc;
import org.janytun.session.Received;
import org.janytun.session.SatpSession;
import org.janytun.wire.SatpLayout;
import org.slf4j.LoggerFactory;

/**
 * Gets the packet core compiled before the first packets need it. SATP's per-packet key schedule, AES-CTR and
 * HMAC-SHA1 are fast only once C2 has compiled the JDK's crypto code with its AES and SHA intrinsics: interpreted
 * or at C1 a small packet costs 50–300 µs per seal or open instead of about 1 µs, and a daemon that carries only
 * a ping every few milliseconds would take minutes to reach the compile thresholds (measured: 1.3–1.9 ms average
 * RTT through two cold daemons against 0.2 ms warm).
 *
 * <p>So at start-up a background thread at nice 19 seals and opens {@value #ITERATIONS} packets (mostly 1400 bytes,
 * some 64) through a throwaway pair of sessions of the tunnel's suite under a random key. Nothing leaves the
 * process and the tunnel's own sessions and sequence numbers are not touched. It takes about 0.3–0.6 s of one
 * core's time, once; the packet threads keep their normal priority meanwhile.
 */
final class JitWarmup {
    /** Enough for C2 to compile seal and open with the crypto intrinsics (Tier4 thresholds are 5,000 calls). */
    static final int ITERATIONS = 12_000;
    private static final long MAX_NANOS = 4_000_000_000L;

    private JitWarmup() {
    }

    /** Starts the warm-up on a daemon thread; it stops early when {@code keepGoing} turns false. */
    static Thread start(SatpSession like, BooleanSupplier keepGoing, Runnable extra) {
        Thread t = Thread.ofPlatform().name("janytun-warmup").daemon().unstarted(() -> {
            try {
                Libc.niceThisThread(19);
            } catch (RuntimeException | org.janytun.os.OsException ignored) {
                // not fatal: the warm-up then competes at normal priority for a moment
            }
            long t0 = System.nanoTime();
            try {
                int n = run(like.suite(), like.deviceType(), ITERATIONS, keepGoing);
                LoggerFactory.getLogger(JitWarmup.class).debug("JIT warm-up: {} packets sealed and opened in {} ms", n,
                        (System.nanoTime() - t0) / 1_000_000);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(JitWarmup.class).warn("JIT warm-up failed: {}", e.toString());
                return;
            }
            if (extra != null && keepGoing.getAsBoolean()) {
                extra.run();
            }
        });
        t.start();
        return t;
    }

    /** Seals and opens {@code iterations} packets; returns how many went through (all, unless stopped). */
    static int run(CryptoSuite tunnelSuite, DeviceType type, int iterations, BooleanSupplier keepGoing) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] key = new byte[tunnelSuite.masterKey().length];
        byte[] salt = new byte[tunnelSuite.masterSalt().length];
        random.nextBytes(key);
        random.nextBytes(salt);
        CryptoSuite suite = new CryptoSuite(tunnelSuite.cipher(), tunnelSuite.kdPrf(), tunnelSuite.auth(),
                tunnelSuite.tagLength(), key, salt, List.of());
        SatpSession sender = new SatpSession(suite, Role.LEFT, 1, 1, type, 0);
        SatpSession receiver = new SatpSession(suite, Role.RIGHT, 2, 1, type, 0);
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        random.nextBytes(buf);
        Received received = new Received();
        long deadline = System.nanoTime() + MAX_NANOS;
        int maxInner = Math.min(1400, sender.maxInnerLength());
        int done = 0;
        for (; done < iterations; done++) {
            if ((done & 255) == 0 && (!keepGoing.getAsBoolean() || System.nanoTime() - deadline > 0)) {
                break;
            }
            int size = (done & 3) == 3 ? 64 : maxInner;
            buf[SatpLayout.INNER_OFFSET] = 0x45; // IPv4, for a tun session
            int length = sender.seal(buf, size);
            if (length < 0 || !receiver.open(buf, length, received)) {
                throw new IllegalStateException("JIT warm-up: a sealed packet did not open (" + received.drop() + ")");
            }
        }
        return done;
    }
}
