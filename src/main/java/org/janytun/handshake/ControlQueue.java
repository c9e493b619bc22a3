package org.janytun.handshake;

import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.janytun.datapath.ControlSink;
import org.janytun.wire.SatpLayout;

/**
 * The bounded queue between the receive stage and the handshake thread: {@value #CAPACITY} preallocated slots go
 * round between a free list and a full list, so that offering a datagram copies it into a slot and allocates
 * nothing; when every slot is taken, further datagrams are dropped (and counted by the caller) rather than queued.
 */
final class ControlQueue implements ControlSink {
    static final int CAPACITY = 256;

    /** One queued datagram. */
    static final class Slot {
        final byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        int length;
        InetSocketAddress source;
        int link;
    }

    private final ArrayBlockingQueue<Slot> free = new ArrayBlockingQueue<>(CAPACITY);
    private final ArrayBlockingQueue<Slot> full = new ArrayBlockingQueue<>(CAPACITY);

    ControlQueue() {
        for (int i = 0; i < CAPACITY; i++) {
            free.add(new Slot());
        }
    }

    @Override
    public boolean offer(byte[] buf, int length, InetSocketAddress source, int link) {
        if (source == null || length > SatpLayout.BUFFER_SIZE) {
            return true; // nothing to answer to, or nothing a control datagram can be: not a queue problem
        }
        Slot s = free.poll();
        if (s == null) {
            return false;
        }
        System.arraycopy(buf, 0, s.buf, 0, length);
        s.length = length;
        s.source = source;
        s.link = link;
        full.offer(s);
        return true;
    }

    /** The next datagram, waiting up to {@code millis}; null if none came. Give it back with {@link #done}. */
    Slot take(long millis) throws InterruptedException {
        return full.poll(millis, TimeUnit.MILLISECONDS);
    }

    void done(Slot s) {
        s.source = null;
        free.offer(s);
    }

    /** Datagrams waiting: the measure of load (cookies are demanded above an eighth of the capacity). */
    int depth() {
        return full.size();
    }
}
