package org.janytun.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * A {@link Transport} in memory (like wireguard-go's {@code conn/bindtest}): transports made by one {@link Network}
 * deliver to each other by address, with a bounded queue per receiver (what overflows is lost, as with a socket
 * buffer). Records every datagram sent, can be told to fail sends, and cannot be polled (the data path then runs a
 * thread per direction). For tests: it allocates per datagram.
 */
public final class MemoryTransport implements Transport {
    /** A datagram as it travelled: its bytes, from where to where, on which link. */
    public record Datagram(byte[] bytes, InetSocketAddress from, InetSocketAddress to, int link) {
    }

    /** Where memory transports find each other. */
    public static final class Network {
        private final Map<InetSocketAddress, MemoryTransport> byAddress = new ConcurrentHashMap<>();
        private final AtomicInteger nextPort = new AtomicInteger(40000);

        /** A transport with one link at a new address, whose receiver holds up to {@code queue} datagrams. */
        public MemoryTransport open(int queue) {
            InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), nextPort.getAndIncrement());
            MemoryTransport t = new MemoryTransport(this, a, queue);
            byAddress.put(a, t);
            return t;
        }
    }

    private final Network network;
    private final InetSocketAddress address;
    private final BlockingQueue<Datagram> queue;
    private final List<Datagram> sent = new ArrayList<>();
    private final AtomicInteger lost = new AtomicInteger();
    private final AtomicInteger sends = new AtomicInteger();
    private volatile IntPredicate failSend = i -> false;
    private volatile boolean closed;

    private MemoryTransport(Network network, InetSocketAddress address, int queue) {
        this.network = network;
        this.address = address;
        this.queue = new ArrayBlockingQueue<>(queue);
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Makes the n-th datagram ever sent (from 0) fail when {@code which} says so. */
    public void failSends(IntPredicate which) {
        failSend = which;
    }

    /** Every datagram sent so far, in order (the failed ones not). */
    public synchronized List<Datagram> sent() {
        return List.copyOf(sent);
    }

    /** Datagrams that found this transport's queue full. */
    public int lost() {
        return lost.get();
    }

    /** Puts a datagram in this transport's queue as if {@code from} had sent it (an attacker, a replay). */
    public void inject(byte[] bytes, InetSocketAddress from) {
        if (!queue.offer(new Datagram(bytes.clone(), from, address, 0))) {
            lost.incrementAndGet();
        }
    }

    @Override
    public List<InetSocketAddress> localAddresses() {
        return List.of(address);
    }

    @Override
    public DatagramReceiver newReceiver() {
        return new DatagramReceiver() {
            @Override
            public int receive(DatagramBatch batch, int timeoutMillis) {
                batch.clear();
                try {
                    Datagram d = timeoutMillis == 0 ? queue.poll() : queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
                    while (d != null) {
                        byte[] buf = batch.nextBuffer();
                        if (d.bytes.length > buf.length) {
                            batch.received(DatagramBatch.TRUNCATED, d.from, d.link);
                        } else {
                            System.arraycopy(d.bytes, 0, buf, 0, d.bytes.length);
                            batch.received(d.bytes.length, d.from, d.link);
                        }
                        d = batch.full() ? null : queue.poll();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return batch.count() == 0 && closed ? -1 : batch.count();
            }

            @Override
            public int[] pollFds() {
                return new int[0];
            }

            @Override
            public boolean pending() {
                return false;
            }
        };
    }

    @Override
    public DatagramSender newSender(int capacity) {
        return batch -> {
            int failed = 0;
            for (int i = 0; i < batch.count(); i++) {
                if (closed || failSend.test(sends.getAndIncrement())) {
                    failed++;
                    continue;
                }
                Datagram d = new Datagram(Arrays.copyOf(batch.buf(i), batch.length(i)), address, batch.address(i),
                        batch.link(i));
                synchronized (this) {
                    sent.add(d);
                }
                MemoryTransport to = network.byAddress.get(d.to);
                if (to != null && !to.closed && !to.queue.offer(new Datagram(d.bytes, address, d.to, 0))) {
                    to.lost.incrementAndGet();
                }
            }
            return failed;
        };
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public void close() {
        closed = true;
        network.byAddress.remove(address);
    }
}
