package org.janytun.transport;

import java.net.InetSocketAddress;
import java.util.Arrays;
import org.janytun.wire.SatpLayout;

/**
 * Datagrams moving through a {@link Transport} in one step: each a buffer, a length, an address (the source of a
 * received datagram, the destination of one to send) and a link (the local socket it came in on or is to leave
 * from). A receiving batch owns its buffers; a sending batch points at the buffers of whoever filled it (the same
 * buffer may appear several times: one datagram fanned out to several paths). For one thread; allocation-free.
 */
public final class DatagramBatch {
    /** The length of a datagram that did not fit its buffer (its end is lost): the receiver marks it, the stage drops it. */
    public static final int TRUNCATED = -1;

    private final byte[][] bufs;
    private final int[] lengths;
    private final InetSocketAddress[] addresses;
    private final int[] links;
    private int count;

    private DatagramBatch(int capacity, boolean ownBuffers) {
        bufs = new byte[capacity][];
        if (ownBuffers) {
            for (int i = 0; i < capacity; i++) {
                bufs[i] = new byte[SatpLayout.BUFFER_SIZE];
            }
        }
        lengths = new int[capacity];
        addresses = new InetSocketAddress[capacity];
        links = new int[capacity];
    }

    /** A batch to receive into: {@code capacity} buffers of {@link SatpLayout#BUFFER_SIZE} bytes of its own. */
    public static DatagramBatch forReceiving(int capacity) {
        return new DatagramBatch(capacity, true);
    }

    /** A batch to send from: it refers to the buffers {@link #add}ed. */
    public static DatagramBatch forSending(int capacity) {
        return new DatagramBatch(capacity, false);
    }

    public int capacity() {
        return bufs.length;
    }

    public int count() {
        return count;
    }

    public boolean full() {
        return count == bufs.length;
    }

    public byte[] buf(int i) {
        return bufs[i];
    }

    /** Bytes of datagram {@code i}, or {@link #TRUNCATED}. */
    public int length(int i) {
        return lengths[i];
    }

    public InetSocketAddress address(int i) {
        return addresses[i];
    }

    public int link(int i) {
        return links[i];
    }

    /** Forgets the datagrams (and the addresses, so that a batch keeps no peer's address reachable for long). */
    public void clear() {
        Arrays.fill(addresses, 0, count, null);
        count = 0;
    }

    /** For a sending batch: appends {@code buf[0, length)} for {@code to} on {@code link}; false when full. */
    public boolean add(byte[] buf, int length, InetSocketAddress to, int link) {
        if (count == bufs.length) {
            return false;
        }
        bufs[count] = buf;
        set(count, length, to, link);
        count++;
        return true;
    }

    /** For a receiver: the next datagram's buffer, to fill before {@link #received}; null when full. */
    public byte[] nextBuffer() {
        return count == bufs.length ? null : bufs[count];
    }

    /** For a receiver: the datagram filled into {@link #nextBuffer} has {@code length} bytes from {@code from}. */
    public void received(int length, InetSocketAddress from, int link) {
        set(count, length, from, link);
        count++;
    }

    private void set(int i, int length, InetSocketAddress address, int link) {
        lengths[i] = length;
        addresses[i] = address;
        links[i] = link;
    }
}
