package org.janytun.crypto;

import java.util.Arrays;

/**
 * The {@link PacketProtection} engines of one thread, one per kind of suite, each re-bound to the suite of the
 * packet at hand ({@link PacketProtection#bind}). A connection then holds only its keys (its {@link Suite}), not
 * JCE {@code Cipher}/{@code MessageDigest} objects and their buffers (several KiB), which is what lets a node hold
 * tens of thousands of connections (issue 17). Re-binding costs nothing while a thread keeps sealing or opening
 * for one connection; between connections the legacy suite sets up its kd-prf key schedule again (one AES key
 * expansion, next to the one per packet that AES-CTR needs anyway).
 */
public final class ThreadEngines {
    private static final ThreadLocal<ThreadEngines> SEALING = ThreadLocal.withInitial(ThreadEngines::new);
    private static final ThreadLocal<ThreadEngines> OPENING = ThreadLocal.withInitial(ThreadEngines::new);

    private PacketProtection[] engines = new PacketProtection[0];

    private ThreadEngines() {
    }

    /**
     * This thread's sealing engine for {@code suite}, bound to it; allocation-free once the thread has one of its
     * kind. Sealing and opening have engines of their own, as they had per connection: the JCE remembers the last
     * key and nonce a {@code Cipher} encrypted under (to refuse them again), which opening must not disturb.
     */
    public static PacketProtection sealing(Suite suite) {
        return SEALING.get().bind(suite);
    }

    /** This thread's opening engine for {@code suite}, bound to it (see {@link #sealing}). */
    public static PacketProtection opening(Suite suite) {
        return OPENING.get().bind(suite);
    }

    private PacketProtection bind(Suite suite) {
        for (PacketProtection e : engines) {
            if (e.bind(suite)) {
                return e;
            }
        }
        PacketProtection e = suite.newProtection(); // the first packet of a new kind of suite on this thread
        engines = Arrays.copyOf(engines, engines.length + 1);
        engines[engines.length - 1] = e;
        return e;
    }
}
