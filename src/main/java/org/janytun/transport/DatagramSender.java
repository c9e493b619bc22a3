package org.janytun.transport;

/** The sending side of a {@link Transport}, for one thread at a time. */
public interface DatagramSender {
    /**
     * Sends the datagrams of {@code batch} in its order, each to its address on its link; the wire carries exactly
     * these datagrams. Leaves the batch as it was.
     *
     * @return how many could not be sent (e.g. no route to that address yet); they are not retried
     */
    int send(DatagramBatch batch);
}
