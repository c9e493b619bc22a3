package org.janytun.datapath;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.janytun.address.InetText;
import org.janytun.connection.Connection;
import org.janytun.connection.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a connection's path to the source of an authentic packet (SPEC §11), tells the listener (the cluster sync)
 * and logs it at most once per path per 10 s: a peer flapping between addresses must not flood the log.
 */
final class EndpointLearning {
    private static final Logger log = LoggerFactory.getLogger(EndpointLearning.class);
    static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private volatile Consumer<Connection> listener;
    private final LongAdder notLogged = new LongAdder();

    void onChange(Consumer<Connection> l) {
        listener = l;
    }

    /** On the receiving thread, for a packet that {@code movesEndpoint()}: it must not block. */
    void learn(Connection c, int link, InetSocketAddress source, long nanos) {
        Path moved = c.learn(link, source);
        if (moved == null) {
            return;
        }
        Consumer<Connection> l = listener;
        if (l != null) {
            l.accept(c);
        }
        if (moved.mayLogEndpointChange(nanos, LOG_INTERVAL_NANOS)) {
            log.info("connection {}{}: autodetected remote host changed to {}", c.mux(),
                    c.paths().length > 1 ? " link " + link : "", InetText.format(source));
        } else {
            notLogged.increment();
        }
    }

    /** For the housekeeping thread: reports the changes that were not logged one by one. */
    void report() {
        long n = notLogged.sumThenReset();
        if (n > 0) {
            log.info("remote hosts changed {} more times in the last {} s", n,
                    TimeUnit.NANOSECONDS.toSeconds(LOG_INTERVAL_NANOS));
        }
    }
}
