package org.janytun.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.janytun.session.DropReason;
import org.junit.jupiter.api.Test;

class TrafficCountersTest {
    @Test
    void countsWhatItIsTold() {
        TrafficCounters c = new TrafficCounters();
        c.received(3, 300, 42);
        c.received(1, 50, 43);
        c.sent(2, 120);
        c.dropped(DropReason.BAD_TAG, 1);
        c.dropped(DropReason.BAD_TAG, 2);
        c.dropped(DropReason.NO_REMOTE, 1);
        assertEquals(4, c.packetsIn());
        assertEquals(350, c.bytesIn());
        assertEquals(43, c.lastReceiveNanos());
        assertEquals(2, c.packetsOut());
        assertEquals(120, c.bytesOut());
        assertEquals(3, c.drops(DropReason.BAD_TAG));
        assertEquals(0, c.drops(DropReason.REPLAYED));
        assertEquals(4, c.drops());
        assertEquals("4 packets (350 bytes) in, 2 packets (120 bytes) out, 4 dropped", c.toString());
    }

    /** One writer per side, a reader on another thread: the reader ends up seeing every count, none lost. */
    @Test
    void anotherThreadReadsTheWritersCounts() throws Exception {
        TrafficCounters c = new TrafficCounters();
        int n = 200_000;
        Thread rx = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                c.received(1, 10, i + 1);
            }
        });
        Thread tx = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                c.sent(1, 20);
            }
        });
        long seen = 0;
        while (rx.isAlive() || tx.isAlive()) {
            long now = c.packetsIn();
            assertEquals(true, now >= seen, "never goes back");
            seen = now;
        }
        rx.join();
        tx.join();
        assertEquals(n, c.packetsIn());
        assertEquals(10L * n, c.bytesIn());
        assertEquals(n, c.packetsOut());
        assertEquals(20L * n, c.bytesOut());
        assertEquals(n, c.lastReceiveNanos());
    }

    /**
     * The drops by reason are made at the first drop, by whichever side drops first: when both sides drop their first
     * packets at once, they share one array and no count is lost. Bounded: 200 fresh counters, two threads each.
     */
    @Test
    void bothSidesFirstDropsAtOnceLoseNothing() throws Exception {
        for (int round = 0; round < 200; round++) {
            TrafficCounters c = new TrafficCounters();
            assertEquals(0, c.drops());
            assertEquals(0, c.drops(DropReason.BAD_TAG));
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            Thread rx = Thread.ofPlatform().start(() -> {
                await(start);
                for (int i = 0; i < 100; i++) {
                    c.dropped(DropReason.BAD_TAG, 1);
                }
            });
            Thread tx = Thread.ofPlatform().start(() -> {
                await(start);
                for (int i = 0; i < 100; i++) {
                    c.dropped(DropReason.NO_REMOTE, 1);
                }
            });
            rx.join();
            tx.join();
            assertEquals(100, c.drops(DropReason.BAD_TAG));
            assertEquals(100, c.drops(DropReason.NO_REMOTE));
            assertEquals(200, c.drops());
        }
    }

    private static void await(java.util.concurrent.CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
