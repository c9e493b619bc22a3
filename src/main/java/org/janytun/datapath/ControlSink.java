package org.janytun.datapath;

import java.net.InetSocketAddress;

/**
 * Where the receive stage hands SATP-session control datagrams (mux 0xFFFF), and data datagrams of a connection
 * that has no key pair yet: a bounded queue in front of the handshake thread, so that no public-key work happens
 * on the data path.
 */
public interface ControlSink {
    /**
     * Copies the datagram {@code buf[0, length)} from {@code source} on {@code link} into the queue. On the packet
     * path: must neither block nor allocate.
     *
     * @return false when the queue is full (the datagram is dropped)
     */
    boolean offer(byte[] buf, int length, InetSocketAddress source, int link);
}
