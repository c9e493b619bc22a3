package org.janytun.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TrafficYieldTest {
    @Test
    void aTunnelWithoutPacketsNeverHoldsTheTwinBack() {
        TrafficYield yield = new TrafficYield(() -> 7);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, yield.await(() -> true));
        }
        assertEquals(0, yield.pauses());
    }

    @Test
    void theTwinWaitsUntilTheTunnelsPacketsStop() {
        AtomicLong packets = new AtomicLong();
        TrafficYield yield = new TrafficYield(() -> packets.get() < 3 ? packets.incrementAndGet() : packets.get());
        // the count moved since the twin was made: it waits through three more moves, then one still look
        assertTrue(yield.await(() -> true) > 0);
        assertEquals(3, packets.get());
        assertEquals(1, yield.pauses());
        assertEquals(0, yield.await(() -> true), "then it goes on");
    }

    @Test
    void aStoppingDaemonEndsThePause() {
        AtomicLong packets = new AtomicLong();
        TrafficYield yield = new TrafficYield(packets::incrementAndGet);
        assertEquals(-1, yield.await(() -> false));
    }

    @Test
    void theTrainingsTwinNeverPauses() {
        assertEquals(0, TrafficYield.NEVER.await(() -> true));
    }
}
