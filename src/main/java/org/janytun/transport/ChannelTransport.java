package org.janytun.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * The fallback transport on the JDK's {@link DatagramChannel}: one datagram per system call, no GRO/GSO, for
 * kernels or sandboxes where batch I/O cannot be set up ({@code -Djanytun.io=jdk} forces it). Its receiver cannot be
 * polled together with the device, so the data path gives each direction its own thread. Unlike the batched
 * transport it allocates per datagram (the JDK's source address, a buffer view).
 */
final class ChannelTransport implements Transport {
    private final DatagramChannel channel;

    ChannelTransport(DatagramChannel channel) {
        this.channel = channel;
    }

    @Override
    public List<InetSocketAddress> localAddresses() {
        InetSocketAddress a = UdpSocket.localAddress(channel);
        return a == null ? List.of() : List.of(a);
    }

    @Override
    public DatagramReceiver newReceiver() {
        return new Receiver(channel.socket());
    }

    @Override
    public DatagramSender newSender(int capacity) {
        return new Sender(channel);
    }

    @Override
    public String describe() {
        return "one datagram per system call (DatagramChannel)";
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }

    /** Receives on the channel's socket adaptor, which honours a timeout; one datagram per call. */
    private static final class Receiver implements DatagramReceiver {
        private final DatagramSocket socket;
        private final DatagramPacket packet = new DatagramPacket(new byte[0], 0);

        Receiver(DatagramSocket socket) {
            this.socket = socket;
        }

        @Override
        public int receive(DatagramBatch batch, int timeoutMillis) throws IOException {
            batch.clear();
            byte[] buf = batch.nextBuffer();
            if (socket.isClosed()) {
                return -1;
            }
            try {
                socket.setSoTimeout(Math.max(1, timeoutMillis)); // 0 would mean for ever
                packet.setData(buf, 0, buf.length);
                socket.receive(packet);
            } catch (SocketTimeoutException timeout) {
                return 0;
            } catch (IOException e) {
                if (socket.isClosed() || e instanceof ClosedChannelException) {
                    return -1;
                }
                throw e;
            }
            // the adaptor cuts what does not fit; a datagram that filled the buffer exactly may have been longer
            int length = packet.getLength() == buf.length ? DatagramBatch.TRUNCATED : packet.getLength();
            batch.received(length, (InetSocketAddress) packet.getSocketAddress(), 0);
            return 1;
        }

        @Override
        public int pollFd() {
            return -1;
        }

        @Override
        public boolean pending() {
            return false;
        }
    }

    private static final class Sender implements DatagramSender {
        private final DatagramChannel channel;
        private ByteBuffer wrapped = ByteBuffer.allocate(0);

        Sender(DatagramChannel channel) {
            this.channel = channel;
        }

        @Override
        public int send(DatagramBatch batch) {
            int failed = 0;
            for (int i = 0; i < batch.count(); i++) {
                byte[] buf = batch.buf(i);
                if (!wrapped.hasArray() || wrapped.array() != buf) {
                    wrapped = ByteBuffer.wrap(buf); // once per buffer: the send loop reuses its buffers
                }
                wrapped.clear().limit(batch.length(i));
                try {
                    channel.send(wrapped, batch.address(i));
                } catch (IOException | RuntimeException e) {
                    failed++; // e.g. no route to the remote yet, or closing: keep going
                }
            }
            return failed;
        }
    }
}
