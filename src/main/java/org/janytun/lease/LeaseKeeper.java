package org.janytun.lease;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.janytun.session.SatpSession;
import org.janytun.session.SendLease;
import org.slf4j.Logger;

/**
 * Keeps the sequence lease of every connection of one daemon: at {@link #attach} (before the session sends) it
 * moves the counter past what earlier runs reserved and reserves the first block synchronously; afterwards a
 * background thread reserves the next block whenever the packet path has used half of the current one, so the
 * {@code fdatasync} never sits on the packet path.
 *
 * <p>At the end of the 32-bit counter the connection stops sending and an error says to rotate the key, unless
 * the operator allowed the wrap ({@code --allow-seq-wrap}), which starts again at 0 and repeats keystream.
 */
public final class LeaseKeeper implements AutoCloseable {
    /**
     * Numbers reserved per write: half a block (2^19 packets, about 0.5 s at 1 Mpps) is the time the disk has to
     * land the next one; a restart skips at most one block, 1/4096 of the counter.
     */
    public static final long BLOCK = 1L << 20;
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** One connection's lease, its mux's slot and how often its counter has wrapped. */
    private static final class Held {
        final SatpSession session;
        final SendLease lease;
        final int mux;
        long epoch;
        boolean exhaustionLogged;
        /** The block {@link #stage} wrote, granted at {@link #commit}. */
        long stagedLimit;
        long stagedRefill;

        Held(SatpSession session, SendLease lease, int mux, long epoch) {
            this.session = session;
            this.lease = lease;
            this.mux = mux;
            this.epoch = epoch;
        }
    }

    private final LeaseFile file;
    private final long block;
    private final boolean allowWrap;
    private final String device;
    private final Logger log;
    private final Map<Integer, Held> held = new ConcurrentHashMap<>();
    /** Written by {@link #stage}, not synced nor granted yet. */
    private final List<Held> staged = new ArrayList<>();
    private final Thread thread;
    private final Runnable wake;
    private volatile boolean closed;
    private long lastFailureLog = Long.MIN_VALUE;

    LeaseKeeper(LeaseFile file, long block, boolean allowWrap, String device, Logger log) {
        if (block < 2 || block > SendLease.END) {
            throw new IllegalArgumentException("block " + block);
        }
        this.file = file;
        this.block = block;
        this.allowWrap = allowWrap;
        this.device = device;
        this.log = log;
        this.thread = Thread.ofPlatform().name("janytun-seq-lease").daemon().unstarted(this::run);
        this.wake = () -> LockSupport.unpark(thread);
        thread.start();
    }

    /**
     * Opens (and locks) the lease file in {@code stateDir}; to be called before a chroot or privilege drop.
     * {@code device} names the tunnel in messages.
     */
    public static LeaseKeeper open(Path stateDir, boolean allowWrap, String device, Logger log) throws IOException {
        return new LeaseKeeper(LeaseFile.open(stateDir), BLOCK, allowWrap, device, log);
    }

    /** The file the lease is kept in. */
    public Path path() {
        return file.path();
    }

    /**
     * Puts {@code session} under the lease of its mux, before it sends anything: its counter moves past what was
     * reserved before (by an earlier run or a connection this one replaces) and the first block is on disk when
     * this returns.
     *
     * @throws IOException the lease cannot be read or written: the session must not be used
     */
    public synchronized void attach(SatpSession session) throws IOException {
        stage(session);
        commit();
    }

    /**
     * {@link #attach} for one of many sessions: the first block is written but not yet synced, and granted only by
     * {@link #commit}, which syncs once for all of them (a table of 65,536 connections would otherwise wait for as
     * many {@code fdatasync}s). Until then the session may not send.
     *
     * @throws IOException the lease cannot be read or written: the session must not be used
     */
    public synchronized void stage(SatpSession session) throws IOException {
        int mux = session.mux();
        long stored = file.read(mux);
        Held previous = held.get(mux);
        long epoch = Math.max(stored >>> 32, previous == null ? 0 : previous.epoch);
        if (stored >>> 32 == epoch) {
            session.advanceSeqTo((int) (stored & 0xFFFF_FFFFL));
        }
        if (previous != null && previous.epoch == epoch) {
            session.advanceSeqTo((int) previous.lease.limit());
        }
        Held h = new Held(session, new SendLease(wake), mux, epoch);
        reserve(h, false);
        session.useLease(h.lease);
        held.put(mux, h);
    }

    /** Syncs the blocks {@link #stage} wrote and grants them: the staged sessions may send from now on. */
    public synchronized void commit() throws IOException {
        if (staged.isEmpty()) {
            return;
        }
        try {
            file.sync();
            for (Held h : staged) {
                h.lease.grant(h.stagedLimit, h.stagedRefill);
            }
        } finally {
            staged.clear();
        }
    }

    /** Stops the thread and releases the file (the reserved numbers stay reserved). */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(2000);
            file.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.warn("closing {}: {}", file.path(), e.toString());
        }
    }

    private void run() {
        boolean failed = false;
        while (!closed) {
            if (failed) {
                LockSupport.parkNanos(this, RETRY_NANOS);
            } else {
                LockSupport.park(this);
            }
            failed = !refillWanted();
        }
    }

    /**
     * The next block for every session that asked, with one disk sync for all of them (a cluster peer's counters
     * can move thousands of connections at once); false when the disk refused (the packet path keeps what it has).
     */
    private synchronized boolean refillWanted() {
        int mux = -1;
        try {
            for (Held h : held.values()) {
                if (!closed && h.lease.wanted()) {
                    mux = h.mux;
                    reserve(h, false);
                }
            }
            commit();
            return true;
        } catch (IOException e) {
            long now = System.nanoTime();
            if (lastFailureLog == Long.MIN_VALUE || now - lastFailureLog > TimeUnit.MINUTES.toNanos(1)) {
                lastFailureLog = now;
                log.error("connection mux {}: cannot reserve sequence numbers in {}: {}; sending stops when the"
                        + " reserved ones run out", mux, file.path(), e.getMessage());
            }
            staged.clear();
            return false;
        }
    }

    /** Reserves the next block of {@code h}: written, synced and granted {@code now}, or staged for {@link #commit}. */
    private void reserve(Held h, boolean now) throws IOException {
        long seq = Integer.toUnsignedLong(h.session.nextSeq());
        if (seq >= SendLease.END) {
            if (!allowWrap) {
                h.lease.grant(SendLease.END, SendLease.END);
                if (!h.exhaustionLogged) {
                    h.exhaustionLogged = true;
                    log.error("connection mux {} on {}: the 32-bit sequence counter is used up; janytun stops"
                            + " sending on it rather than repeat keystream. Change the key: restart with a new key and"
                            + " a fresh --state-dir (or remove {} once the old key is retired everywhere), or allow"
                            + " the wrap with --allow-seq-wrap", h.mux, device, file.path());
                }
                return;
            }
            h.lease.revoke();
            h.epoch++;
            h.session.setNextSeq(0);
            seq = 0;
            log.warn("connection mux {}: the sequence counter wrapped to 0 (--allow-seq-wrap): packets now repeat"
                    + " the keystream of earlier ones under the same key", h.mux);
        }
        long from = Math.max(seq, h.lease.limit());
        long limit = Math.min(from + block, SendLease.END);
        long refillAt = limit == SendLease.END ? SendLease.END : Math.max(seq, limit - block / 2);
        if (now) {
            file.write(h.mux, h.epoch << 32 | limit);
            h.lease.grant(limit, refillAt);
        } else {
            file.put(h.mux, h.epoch << 32 | limit);
            h.stagedLimit = limit;
            h.stagedRefill = refillAt;
            staged.add(h);
        }
    }
}
