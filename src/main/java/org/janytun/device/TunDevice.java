package org.janytun.device;

import java.io.IOException;
import org.janytun.wire.DeviceType;

/**
 * The local tun/tap device, batch-first (shaped like wireguard-go's {@code tun.Device}) so that multi-packet
 * reads and offloads can arrive without changing callers.
 *
 * <p>Packets are exchanged at an {@code offset} inside caller-owned heap buffers: the caller reserves room in
 * front of the inner packet for the SATP header and payload type so that no copy is needed. Implementations
 * must not allocate per packet.
 */
public interface TunDevice extends AutoCloseable {

    /** The interface name the kernel gave the device, e.g. {@code tun0}. */
    String name();

    DeviceType type();

    /** How many packets one {@link #read} may return at most. */
    int batchSize();

    /**
     * Reads up to {@code min(bufs.length, batchSize())} inner packets, the i-th into {@code bufs[i]} starting at
     * {@code offset}, its length into {@code sizes[i]}. Blocks for at most about {@code timeoutMillis}; 0 does not
     * wait at all.
     *
     * @return the number of packets read: 0 on timeout, -1 once the device is closed
     */
    int read(byte[][] bufs, int[] sizes, int offset, int timeoutMillis) throws IOException;

    /** Waits up to {@code timeoutMillis} until a packet can be read: 1 then, 0 on timeout, -1 once closed. */
    int await(int timeoutMillis) throws IOException;

    /**
     * Writes {@code count} inner packets, the i-th from {@code bufs[i]} at {@code offsets[i]}, {@code sizes[i]} bytes.
     * The device may overwrite up to 10 bytes before {@code offsets[i]} (a tun with offloads puts its virtio_net_hdr
     * there) and the packet bytes themselves; the caller's packets are consumed.
     */
    void write(byte[][] bufs, int[] offsets, int[] sizes, int count) throws IOException;

    /**
     * A file descriptor that polls readable while packets wait, for a caller that waits on several things at once
     * (then {@link #read} with timeout 0); -1 when the device can only wait inside {@link #read}/{@link #await}.
     */
    default int pollFd() {
        return -1;
    }

    /** Packets the device dropped on read (malformed offload metadata, too large for a buffer). */
    default long readDrops() {
        return 0;
    }

    /** What the device is and does, for the log (name, offloads). */
    default String describe() {
        return name() + " (no offloads)";
    }

    @Override
    void close();
}
