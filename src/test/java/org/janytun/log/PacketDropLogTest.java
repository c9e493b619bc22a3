package org.janytun.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class PacketDropLogTest {
    enum Reason { BAD_TAG, REPLAY, WRONG_MUX }

    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    ListAppender<ILoggingEvent> events;
    ch.qos.logback.classic.Logger logger;
    PacketDropLog<Reason> drops;

    @BeforeEach
    void setUp() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        logger = ctx.getLogger("drops-test");
        logger.setLevel(Level.TRACE);
        logger.setAdditive(false);
        events = new ListAppender<>();
        events.setContext(ctx);
        events.start();
        logger.addAppender(events);
        drops = new PacketDropLog<>(Reason.class, logger, org.slf4j.event.Level.INFO, Duration.ofSeconds(10),
                r -> r == Reason.BAD_TAG ? "bad authentication tag" : r.name().toLowerCase(), clock::get);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(events);
        logger.setLevel(null);
        logger.setAdditive(true);
    }

    private List<String> lines() {
        return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void oneSummaryPerReasonPerInterval() {
        for (int i = 0; i < 1234; i++) {
            drops.count(Reason.BAD_TAG);
        }
        drops.count(Reason.REPLAY);
        drops.tick();
        assertEquals(List.of(), lines(), "interval not over yet");
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        drops.tick();
        assertEquals(List.of("dropped 1234 packets: bad authentication tag (last 10 s)",
                "dropped 1 packet: replay (last 10 s)"), lines());
        assertEquals(Level.INFO, events.list.get(0).getLevel());

        drops.count(Reason.WRONG_MUX, 5);
        clock.addAndGet(Duration.ofSeconds(3).toNanos());
        drops.tick();
        assertEquals(2, lines().size(), "at most one line per interval");
        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        drops.tick();
        assertEquals("dropped 5 packets: wrong_mux (last 12 s)", lines().get(2));
        clock.addAndGet(Duration.ofSeconds(60).toNanos());
        drops.tick();
        assertEquals(3, lines().size(), "quiet when nothing was dropped");

        assertEquals(1234, drops.total(Reason.BAD_TAG));
        assertEquals(5, drops.total(Reason.WRONG_MUX));
    }

    @Test
    void flushReportsAtOnce() {
        drops.count(Reason.REPLAY);
        drops.flush();
        assertEquals(List.of("dropped 1 packet: replay (last <1 s)"), lines());
    }

    @Test
    void defaultDescriptions() {
        PacketDropLog<Reason> d = new PacketDropLog<>(Reason.class, logger, org.slf4j.event.Level.WARN,
                Duration.ofSeconds(1));
        d.count(Reason.WRONG_MUX);
        d.flush();
        assertTrue(lines().get(0).startsWith("dropped 1 packet: wrong mux (last"), lines().get(0));
    }

    @Test
    void countingDoesNotAllocate() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        for (int i = 0; i < 200_000; i++) {
            drops.count(Reason.values()[i % 3]);
        }
        Reason[] reasons = Reason.values();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 1_000_000; i++) {
            drops.count(reasons[i % 3]);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < 10_000, "allocated " + allocated + " bytes for 1M counts");
        assertEquals(1_200_000, drops.total(Reason.BAD_TAG) + drops.total(Reason.REPLAY)
                + drops.total(Reason.WRONG_MUX));
    }

    @Test
    void concurrentCountsAreNotLost() throws Exception {
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            ts[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 100_000; i++) {
                    drops.count(Reason.REPLAY);
                }
            });
        }
        for (int i = 0; i < 50; i++) {
            clock.addAndGet(Duration.ofSeconds(10).toNanos());
            drops.tick();
        }
        for (Thread t : ts) {
            t.join();
        }
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        drops.tick();
        long sum = lines().stream().mapToLong(l -> Long.parseLong(l.split(" ")[1])).sum();
        assertEquals(400_000, sum);
    }
}
