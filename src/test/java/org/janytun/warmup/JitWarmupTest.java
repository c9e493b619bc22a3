package org.janytun.warmup;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JitWarmupTest {
    @Test
    void theCollectionAfterTheWarmUpWaitsForAQuietTunnel() {
        assertTrue(JitWarmup.awaitQuiet(() -> true, () -> 42), "a tunnel without packets is quiet");
    }

    @Test
    void aTunnelThatKeepsCarryingPacketsIsNeverQuiet() {
        AtomicLong packets = new AtomicLong();
        // a packet at every look, until the daemon stops after 12 looks (3 s at one look per 250 ms)
        assertFalse(JitWarmup.awaitQuiet(() -> packets.get() < 12, packets::incrementAndGet));
    }

    @Test
    void aStoppingDaemonDoesNotWait() {
        assertFalse(JitWarmup.awaitQuiet(() -> false, () -> 0));
    }
}
