package org.janytun.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The batched transport: {@code recvmmsg}/{@code sendmmsg} through FFM with UDP GRO and GSO where the kernel has
 * them ({@link BatchReceiver}, {@link BatchSender}) on one socket, link 0. Its receiver can be polled, so one thread
 * may wait on it and on the device at once.
 */
final class MmsgTransport implements Transport {
    /** Messages per recvmmsg: with GRO each may hold up to 64 KiB of coalesced datagrams. */
    private static final int MESSAGES_GRO = 8;
    private static final int MESSAGES = 64;
    private final BatchSocket socket;

    MmsgTransport(BatchSocket socket) {
        this.socket = socket;
    }

    @Override
    public List<InetSocketAddress> localAddresses() {
        InetSocketAddress a = UdpSocket.localAddress(socket.channel());
        return a == null ? List.of() : List.of(a);
    }

    @Override
    public DatagramReceiver newReceiver() throws IOException {
        return new BatchReceiver(socket, socket.gro() ? MESSAGES_GRO : MESSAGES);
    }

    @Override
    public DatagramSender newSender(int capacity) {
        return new BatchSender(socket, capacity);
    }

    @Override
    public String describe() {
        return socket.toString();
    }

    @Override
    public void close() {
        try {
            socket.channel().close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }
}
