package org.janytun.device;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.janytun.os.Libc;
import org.janytun.wire.DeviceType;

/**
 * An in-memory tun device for tests of the data path without a kernel: the test plays the kernel with
 * {@link #inject} (packets the forwarder will read) and {@link #written} (packets it wrote, in order). A write can
 * be made to fail for chosen packets ({@link #failWrites}), as a real device does for a malformed packet: the
 * others of the batch are written and the failure says how many did not.
 */
public final class MemoryTunDevice implements TunDevice {
    private final String name;
    private final int batchSize;
    private final LinkedBlockingQueue<byte[]> toRead = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<byte[]> written = new LinkedBlockingQueue<>();
    private final List<Integer> writeBatches = new ArrayList<>();
    private volatile IntPredicate failWrite = i -> false;
    private volatile boolean closed;
    private int writeIndex;

    public MemoryTunDevice(String name, int batchSize) {
        this.name = name;
        this.batchSize = batchSize;
    }

    /** A packet for the forwarder to read. */
    public void inject(byte[] packet) {
        toRead.add(packet.clone());
    }

    /** The packets the forwarder wrote, oldest first; waits up to {@code millis} for the next one, else null. */
    public byte[] nextWritten(long millis) throws InterruptedException {
        return written.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Makes the write of the n-th packet ever written (from 0) fail when {@code which} says so. */
    public void failWrites(IntPredicate which) {
        failWrite = which;
    }

    /** The sizes of the write batches so far. */
    public synchronized List<Integer> writeBatches() {
        return List.copyOf(writeBatches);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceType type() {
        return DeviceType.TUN;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public int read(byte[][] bufs, int[] sizes, int offset, int timeoutMillis) throws IOException {
        if (closed) {
            return -1;
        }
        byte[] first;
        try {
            first = timeoutMillis == 0 ? toRead.poll() : toRead.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        if (first == null) {
            return closed ? -1 : 0;
        }
        int n = 0;
        for (byte[] p = first; p != null; p = n < bufs.length ? toRead.poll() : null) {
            System.arraycopy(p, 0, bufs[n], offset, p.length);
            sizes[n++] = p.length;
        }
        return n;
    }

    @Override
    public int await(int timeoutMillis) throws IOException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!closed) {
            if (!toRead.isEmpty()) {
                return 1;
            }
            if (System.nanoTime() - until > 0) {
                return 0;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return -1;
    }

    @Override
    public synchronized void write(byte[][] bufs, int[] offsets, int[] sizes, int count) throws IOException {
        if (closed) {
            throw new IOException("write to " + name + " (device closed)");
        }
        writeBatches.add(count);
        int failed = 0;
        for (int i = 0; i < count; i++) {
            if (failWrite.test(writeIndex++)) {
                failed++;
            } else {
                written.add(Arrays.copyOfRange(bufs[i], offsets[i], offsets[i] + sizes[i]));
            }
        }
        if (failed > 0) {
            throw new PartialWriteException("write to " + name + " (" + failed + " of " + count + " packets failed)",
                    Libc.EINVAL, failed);
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
