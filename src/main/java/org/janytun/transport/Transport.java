package org.janytun.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Where SATP datagrams enter and leave (shaped like wireguard-go's {@code conn.Bind}): one or more links (local UDP
 * sockets), a receiver that yields batches of datagrams with their sources, a sender that takes batches. How the
 * kernel is asked (recvmmsg/sendmmsg with UDP GRO/GSO, or the JDK's channels, or memory in tests) is the
 * implementation's business: the data path has one receive loop and one send loop whatever it is.
 */
public interface Transport extends AutoCloseable {
    /** The local address of each link, in link order (link 0 first). */
    List<InetSocketAddress> localAddresses();

    /** A receiver for one thread, handing out at most a batch's capacity per call. */
    DatagramReceiver newReceiver() throws IOException;

    /** A sender for one thread at a time. */
    DatagramSender newSender(int capacity);

    /** How datagrams are moved, for the log (e.g. "recvmmsg/sendmmsg, UDP GSO, UDP GRO"). */
    String describe();

    /** Closes the sockets; a receiver blocked in {@link DatagramReceiver#receive} then returns -1. */
    @Override
    void close();
}
