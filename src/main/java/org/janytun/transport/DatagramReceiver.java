package org.janytun.transport;

import java.io.IOException;

/** The receiving side of a {@link Transport}, for one thread. */
public interface DatagramReceiver {
    /**
     * Fills {@code batch} (cleared first) with the datagrams that are there, at most its capacity; waits up to
     * {@code timeoutMillis} (0: not at all) when there are none. Datagrams the kernel coalesced (UDP GRO) come out
     * one by one; one longer than a buffer comes out with length {@link DatagramBatch#TRUNCATED}.
     *
     * @return the number of datagrams, 0 when none came in time, -1 once the transport is closed
     */
    int receive(DatagramBatch batch, int timeoutMillis) throws IOException;

    /**
     * The file descriptors (one per link) that poll readable while datagrams wait, for a caller that waits on
     * several things at once; empty when this receiver can only wait inside {@link #receive}.
     */
    int[] pollFds();

    /** Whether datagrams already taken from the kernel wait to be handed out: receive before waiting on the fd. */
    boolean pending();
}
