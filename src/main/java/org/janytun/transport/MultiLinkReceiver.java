package org.janytun.transport;

import org.janytun.os.Libc;
import org.janytun.os.OsException;
import org.janytun.os.PollSet;

/**
 * Receives on several links (RAIL: one socket per local port or address) as one receiver: one poll over all of
 * them, then {@code recvmmsg} on each that is ready, starting with a different link each call so that a busy link
 * cannot starve the others. Allocation-free.
 */
final class MultiLinkReceiver implements DatagramReceiver {
    private final BatchReceiver[] links;
    private final int[] fds;
    private final Libc.CallState st = new Libc.CallState();
    private final PollSet pollSet;
    private int next;

    MultiLinkReceiver(BatchReceiver[] links) {
        this.links = links.clone();
        this.fds = new int[links.length];
        this.pollSet = new PollSet(links.length, st);
        for (int i = 0; i < links.length; i++) {
            fds[i] = links[i].fd();
            pollSet.addReadable(fds[i]);
        }
    }

    @Override
    public int receive(DatagramBatch batch, int timeoutMillis) throws OsException {
        batch.clear();
        int n = links.length;
        int start = next;
        next = (next + 1) % n;
        for (int k = 0; k < n && !batch.full(); k++) {
            BatchReceiver r = links[(start + k) % n];
            if (r.pending()) {
                r.fill(batch, 0);
            }
        }
        if (batch.full()) {
            return batch.count();
        }
        int ready = pollSet.poll(batch.count() > 0 ? 0 : timeoutMillis);
        if (ready < 0 && st.errno() != Libc.EINTR) {
            throw new OsException("poll on the RAIL sockets", st.errno());
        }
        for (int k = 0; k < n && ready > 0 && !batch.full(); k++) {
            int i = (start + k) % n;
            if (pollSet.ready(i)) {
                links[i].fill(batch, 0);
            }
        }
        return batch.count();
    }

    @Override
    public int[] pollFds() {
        return fds.clone();
    }

    @Override
    public boolean pending() {
        for (BatchReceiver r : links) {
            if (r.pending()) {
                return true;
            }
        }
        return false;
    }
}
