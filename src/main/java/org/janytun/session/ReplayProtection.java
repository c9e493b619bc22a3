package org.janytun.session;

/**
 * Replay windows of one connection, one per sender id seen (SPEC §10): packets of different anycast nodes that
 * share keys have their own sequence numbers. A window size of 0 turns replay protection off.
 *
 * <p>Whatever the window, it also tracks the highest sequence number per sender id, so that {@link #newest()}
 * tells whether the packet just accepted was newer than any before it from that sender: only such a packet may move
 * the remote endpoint. With a window of 0 a replayed packet is still accepted (as anytun and uanytun do), but it
 * can no longer redirect the tunnel to whoever replays it.
 *
 * <p>A window is created only for a packet that passed authentication, so a stranger cannot make us allocate.
 * Single-threaded: the receive path of a connection owns it.
 */
public final class ReplayProtection {
    /** Largest window we keep per sender id: 2^24 packets (2 MiB of bits). */
    public static final long MAX_WINDOW = 1L << 24;

    private final long windowSize;
    /**
     * A small open-addressing map sender id → window: connections see one or a few sender ids. Made at the first
     * authentic packet, so that a connection never heard from (most of a large table) holds none of it.
     */
    private int[] senders = NONE;
    private ReplayWindow[] windows = NO_WINDOWS;
    /** The highest sequence number seen per sender (serial-number order, RFC 1982), used when the window is off. */
    private int[] highest = NONE;
    private int count;
    private boolean newest;

    public ReplayProtection(long windowSize) {
        if (windowSize < 0 || windowSize > MAX_WINDOW) {
            throw new IllegalArgumentException("the window size must be 0.." + MAX_WINDOW + ", not " + windowSize);
        }
        this.windowSize = windowSize;
    }

    public long windowSize() {
        return windowSize;
    }

    /**
     * Whether {@code seq} from {@code senderId} is fresh (always, with a window of 0); records it if so. Call only
     * for authentic packets.
     */
    public boolean accept(int senderId, int seq) {
        if (senders == NONE) {
            senders = emptyKeys(2);
            windows = new ReplayWindow[2];
            highest = new int[2];
        }
        int slot = slotOf(senders, senderId);
        if (senders[slot] == senderId) {
            if (windowSize == 0) {
                newest = seq - highest[slot] > 0;
                if (newest) {
                    highest[slot] = seq;
                }
                return true;
            }
            boolean fresh = windows[slot].accept(seq);
            newest = fresh && windows[slot].advanced();
            return fresh;
        }
        if ((count + 1) * 2 > senders.length) {
            grow();
            slot = slotOf(senders, senderId);
        }
        senders[slot] = senderId;
        windows[slot] = windowSize == 0 ? null : new ReplayWindow(windowSize, seq);
        highest[slot] = seq;
        count++;
        newest = true;
        return true;
    }

    /**
     * The sender ids heard from, in ascending order: a snapshot for show, read while the receiving loop may be
     * adding one (it may then be missing, never wrong).
     */
    public int[] senderIds() {
        int[] keys = senders;
        return java.util.Arrays.stream(keys).filter(k -> k != EMPTY).sorted().toArray();
    }

    /** Whether the packet last given to {@link #accept} was newer than any accepted before from its sender. */
    public boolean newest() {
        return newest;
    }

    /** The slot holding {@code key}, or the empty slot where it belongs. */
    private static int slotOf(int[] keys, int key) {
        int mask = keys.length - 1;
        int i = (key * 0x9E3779B9 >>> 16) & mask;
        while (keys[i] != key && keys[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        int[] oldKeys = senders;
        ReplayWindow[] oldWindows = windows;
        int[] oldHighest = highest;
        senders = emptyKeys(oldKeys.length * 2);
        windows = new ReplayWindow[oldKeys.length * 2];
        highest = new int[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int slot = slotOf(senders, oldKeys[i]);
                senders[slot] = oldKeys[i];
                windows[slot] = oldWindows[i];
                highest[slot] = oldHighest[i];
            }
        }
    }

    private static final int EMPTY = -1;
    private static final int[] NONE = new int[0];
    private static final ReplayWindow[] NO_WINDOWS = new ReplayWindow[0];

    private static int[] emptyKeys(int n) {
        int[] k = new int[n];
        java.util.Arrays.fill(k, EMPTY);
        return k;
    }
}
