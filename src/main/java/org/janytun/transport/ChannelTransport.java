package org.janytun.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;

/**
 * The fallback transport on the JDK's {@link DatagramChannel}s: one datagram per system call, no GRO/GSO, for
 * kernels or sandboxes where batch I/O cannot be set up ({@code -Djanytun.io=jdk} forces it). The channels are
 * non-blocking and the receiver waits in a {@link Selector} over all links; that cannot be polled together with the
 * device, so the data path gives each direction its own thread. Unlike the batched transport it allocates per
 * datagram (the JDK's source address, a buffer view).
 */
final class ChannelTransport implements Transport {
    private final List<DatagramChannel> channels;

    ChannelTransport(List<DatagramChannel> channels) {
        this.channels = List.copyOf(channels);
    }

    @Override
    public List<InetSocketAddress> localAddresses() {
        return UdpSocket.localAddresses(channels);
    }

    @Override
    public DatagramReceiver newReceiver() throws IOException {
        Selector selector = Selector.open();
        try {
            for (int i = 0; i < channels.size(); i++) {
                DatagramChannel c = channels.get(i);
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ, i);
            }
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        return new Receiver(selector);
    }

    @Override
    public DatagramSender newSender(int capacity) {
        return new Sender(channels);
    }

    @Override
    public String describe() {
        return "one datagram per system call (DatagramChannel)"
                + (channels.size() > 1 ? ", " + channels.size() + " links" : "");
    }

    @Override
    public void close() {
        UdpSocket.closeAll(channels);
    }

    private final class Receiver implements DatagramReceiver {
        private final Selector selector;
        private ByteBuffer wrapped = ByteBuffer.allocate(0);

        Receiver(Selector selector) {
            this.selector = selector;
        }

        @Override
        public int receive(DatagramBatch batch, int timeoutMillis) throws IOException {
            batch.clear();
            try {
                if (!selector.isOpen() || !channels.getFirst().isOpen()) {
                    selector.close();
                    return -1;
                }
                if (timeoutMillis == 0 ? selector.selectNow() == 0 : selector.select(timeoutMillis) == 0) {
                    return 0;
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    int link = (Integer) key.attachment();
                    DatagramChannel c = (DatagramChannel) key.channel();
                    byte[] buf;
                    while ((buf = batch.nextBuffer()) != null) {
                        if (!wrapped.hasArray() || wrapped.array() != buf) {
                            wrapped = ByteBuffer.wrap(buf);
                        }
                        wrapped.clear();
                        // one byte more than a datagram may have: a datagram that fills it was longer (cut)
                        wrapped.limit(Math.min(buf.length, org.janytun.wire.SatpLayout.MAX_DATAGRAM + 1));
                        InetSocketAddress from = (InetSocketAddress) c.receive(wrapped);
                        if (from == null) {
                            break;
                        }
                        int length = wrapped.position();
                        batch.received(length == wrapped.limit() ? DatagramBatch.TRUNCATED : length, from, link);
                    }
                }
                selector.selectedKeys().clear();
            } catch (ClosedChannelException | ClosedSelectorException closed) {
                return -1;
            }
            return batch.count();
        }

        @Override
        public int[] pollFds() {
            return new int[0];
        }

        @Override
        public boolean pending() {
            return false;
        }
    }

    private static final class Sender implements DatagramSender {
        private final List<DatagramChannel> channels;
        private ByteBuffer wrapped = ByteBuffer.allocate(0);

        Sender(List<DatagramChannel> channels) {
            this.channels = channels;
        }

        @Override
        public int send(DatagramBatch batch) {
            int failed = 0;
            for (int i = 0; i < batch.count(); i++) {
                byte[] buf = batch.buf(i);
                int link = batch.link(i);
                if (link < 0 || link >= channels.size()) {
                    failed++;
                    continue;
                }
                if (!wrapped.hasArray() || wrapped.array() != buf) {
                    wrapped = ByteBuffer.wrap(buf);
                }
                wrapped.clear().limit(batch.length(i));
                try {
                    if (channels.get(link).send(wrapped, batch.address(i)) == 0) {
                        failed++; // no room in the socket buffer (non-blocking): dropped, as a full queue would
                    }
                } catch (IOException | RuntimeException e) {
                    failed++; // e.g. no route to the remote yet, or closing: keep going
                }
            }
            return failed;
        }
    }
}
