package org.janytun.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A fixed set of file descriptors to wait on with poll(2): the one place that builds {@code struct pollfd} arrays
 * ({@code int fd; short events; short revents;}, 8 bytes each). Entries are added once and keep their index; an
 * entry's fd may be changed later, and -1 makes poll skip it. Allocation-free after construction; for one thread
 * at a time.
 */
public final class PollSet {
    private static final long SIZE = 8;
    private final MemorySegment fds;
    private final Libc.CallState st;
    private int count;

    /** A set of at most {@code capacity} entries whose poll reports errno through {@code st}. */
    public PollSet(int capacity, Libc.CallState st) {
        this.fds = Arena.ofAuto().allocate(SIZE * capacity, 8);
        this.st = st;
    }

    /** Adds {@code fd} (or -1: an entry to fill in later) waiting for {@code events}; returns its index. */
    public int add(int fd, short events) {
        int i = count++;
        set(i, fd);
        fds.set(JAVA_SHORT, SIZE * i + 4, events);
        return i;
    }

    /** Adds {@code fd} waiting until it is readable. */
    public int addReadable(int fd) {
        return add(fd, Libc.POLLIN);
    }

    /** The number of entries. */
    public int size() {
        return count;
    }

    /** Changes entry {@code i}'s fd; -1 leaves it out of the next polls. */
    public void set(int i, int fd) {
        fds.set(JAVA_INT, SIZE * i, fd);
        fds.set(JAVA_SHORT, SIZE * i + 6, (short) 0);
    }

    /**
     * Waits up to {@code timeoutMillis} (0: just look, -1: for ever) for any entry. Returns the number of ready
     * entries, 0 on timeout, or -1 with errno in the call state (see {@link Libc#poll}).
     */
    public int poll(int timeoutMillis) {
        return Libc.poll(st, fds, count, timeoutMillis);
    }

    /** Whether entry {@code i} reported anything (readable, writable, error, hang-up) in the last {@link #poll}. */
    public boolean ready(int i) {
        return fds.get(JAVA_SHORT, SIZE * i + 6) != 0;
    }

    /** The errno of the last failed {@link #poll}. */
    public int errno() {
        return st.errno();
    }
}
