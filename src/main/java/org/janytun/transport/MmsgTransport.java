package org.janytun.transport;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * The batched transport: {@code recvmmsg}/{@code sendmmsg} through FFM with UDP GRO and GSO where the kernel has
 * them ({@link BatchReceiver}, {@link BatchSender}), one socket per link ({@link MultiLinkReceiver},
 * {@link MultiLinkSender} when there are several). Its receiver can be polled, so one thread may wait on it and on
 * the device at once.
 */
final class MmsgTransport implements Transport {
    /** Messages per recvmmsg: with GRO each may hold up to 64 KiB of coalesced datagrams. */
    private static final int MESSAGES_GRO = 8;
    private static final int MESSAGES = 64;
    private final List<BatchSocket> sockets;
    /** The sockets' channels, which own them (binding, close). */
    private final List<DatagramChannel> channels;

    MmsgTransport(List<BatchSocket> sockets) {
        this.sockets = List.copyOf(sockets);
        this.channels = this.sockets.stream().map(BatchSocket::channel).toList();
    }

    @Override
    public List<InetSocketAddress> localAddresses() {
        return UdpSocket.localAddresses(channels);
    }

    @Override
    public DatagramReceiver newReceiver() {
        BatchReceiver[] receivers = new BatchReceiver[sockets.size()];
        for (int i = 0; i < receivers.length; i++) {
            BatchSocket s = sockets.get(i);
            receivers[i] = new BatchReceiver(s, s.gro() ? MESSAGES_GRO : MESSAGES, i);
        }
        return receivers.length == 1 ? receivers[0] : new MultiLinkReceiver(receivers);
    }

    @Override
    public DatagramSender newSender(int capacity) {
        BatchSender[] senders = new BatchSender[sockets.size()];
        for (int i = 0; i < senders.length; i++) {
            senders[i] = new BatchSender(sockets.get(i), capacity);
        }
        return senders.length == 1 ? senders[0] : new MultiLinkSender(senders, capacity);
    }

    @Override
    public String describe() {
        return sockets.getFirst() + (sockets.size() > 1 ? ", " + sockets.size() + " links" : "");
    }

    @Override
    public void close() {
        UdpSocket.closeAll(channels);
    }
}
