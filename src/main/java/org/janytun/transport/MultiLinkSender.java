package org.janytun.transport;

/**
 * Sends on several links (RAIL): splits a batch by link, keeping each link's order, and hands each part to that
 * link's {@link BatchSender} (so consecutive datagrams of one link still become one GSO send). Allocation-free.
 */
final class MultiLinkSender implements DatagramSender {
    private final BatchSender[] links;
    private final DatagramBatch[] parts;

    MultiLinkSender(BatchSender[] links, int capacity) {
        this.links = links.clone();
        this.parts = new DatagramBatch[links.length];
        for (int i = 0; i < links.length; i++) {
            parts[i] = DatagramBatch.forSending(capacity);
        }
    }

    @Override
    public int send(DatagramBatch batch) {
        int failed = 0;
        for (int i = 0; i < batch.count(); i++) {
            int link = batch.link(i);
            if (link < 0 || link >= links.length) {
                failed++; // a path on a link this transport does not have
                continue;
            }
            DatagramBatch part = parts[link];
            if (part.full()) {
                failed += flush(link);
            }
            part.add(batch.buf(i), batch.length(i), batch.address(i), link);
        }
        for (int link = 0; link < links.length; link++) {
            failed += flush(link);
        }
        return failed;
    }

    private int flush(int link) {
        DatagramBatch part = parts[link];
        if (part.count() == 0) {
            return 0;
        }
        int failed = links[link].send(part);
        part.clear();
        return failed;
    }
}
