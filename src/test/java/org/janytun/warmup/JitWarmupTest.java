package org.janytun.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.crypto.AeadSuite;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.Suite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.wire.DeviceType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class JitWarmupTest {
    /**
     * The twin (two real forwarders on AF_UNIX pairs and 127.0.0.1 sockets) carries the flood and then every
     * ping-like exchange, whose small packets cycle through TCP with and without a checksum to complete, ICMP and
     * IPv6: each kind must pass the data path both ways, or the exchanges stop at the first one that does not.
     */
    @ParameterizedTest
    @CsvSource({"true, false", "false, false", "true, true", "false, true"})
    void theTwinCarriesTheFloodAndEveryKindOfSmallPacket(boolean vnet, boolean aead) throws Exception {
        // an SATP session's twin runs the AEAD suite, from the throwaway keys its connection starts with
        Suite suite = aead ? new AeadSuite(AeadAlgorithm.AES_256_GCM, new byte[32], new byte[12], new byte[32],
                new byte[12]).throwaway() : CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128,
                AuthAlgorithm.SHA1, 10, null, null, "test".getBytes(StandardCharsets.UTF_8));
        JitWarmup.TwinRun run = JitWarmup.runTwin(suite, DeviceType.TUN, vnet, 200, 16, () -> true);
        assertTrue(run.packets() >= 200, "flood packets through the twin: " + run.packets());
        assertEquals(16, run.exchanges(), "ping-like exchanges: four of each kind");
    }

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
