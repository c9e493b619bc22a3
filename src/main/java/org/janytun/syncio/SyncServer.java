package org.janytun.syncio;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.janytun.address.InetText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening side of a sync or control port: every connector that is {@linkplain SyncGuard#admit admitted} gets
 * the current dump at once, then every {@link #broadcast} made after it. The dump is taken, and the connector
 * registered for broadcasts, under one lock, so nothing falls between them.
 *
 * <p>Unlike anytun's listener (SYNC.md §1.8, §6.8, §6.14): connectors that close their end are noticed (whatever they
 * send is read and discarded) and closed, so no socket lingers in CLOSE-WAIT; each connector has its own writer, so
 * one that stops reading never blocks the others or the caller of {@link #broadcast} (the packet path), and it is
 * dropped once {@value #MAX_PENDING} writes are waiting for it; writes to one socket never interleave.
 */
public final class SyncServer implements Closeable {
    /** Writes that may wait for one slow connector before it is dropped. */
    public static final int MAX_PENDING = 16;

    private final Logger log;
    private final String what;
    private final ServerSocket server;
    private final SyncGuard guard;
    private final Supplier<byte[]> dump;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private Thread acceptor;

    private final class Client {
        final Socket socket;
        final String name;
        final ExecutorService writer = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name(threadPrefix() + "-writer").factory());
        final AtomicInteger pending = new AtomicInteger();
        volatile OutputStream out;

        Client(Socket socket) {
            this.socket = socket;
            this.name = InetText.format((InetSocketAddress) socket.getRemoteSocketAddress());
        }

        void send(byte[] bytes, String description) {
            if (pending.incrementAndGet() > MAX_PENDING) {
                log.warn("{} client {} is not reading: {} writes waiting, disconnecting it", what, name, MAX_PENDING);
                close();
                return;
            }
            try {
                writer.execute(() -> {
                    try {
                        out.write(bytes);
                        out.flush();
                        log.debug("sent {} ({} bytes) to {}", description, bytes.length, name);
                    } catch (IOException e) {
                        if (!socket.isClosed()) {
                            log.info("{} client {} lost ({})", what, name, e.getMessage());
                        }
                        close();
                    } finally {
                        pending.decrementAndGet();
                    }
                });
            } catch (RejectedExecutionException alreadyClosed) {
                pending.decrementAndGet();
            }
        }

        /** Admits the connector, sends the dump, then reads and discards until it closes; then closes our end. */
        void serve() {
            try {
                out = guard.admit(socket);
            } catch (IOException e) {
                log.warn("{} client {} refused: {}", what, name, e.getMessage());
                close();
                return;
            }
            synchronized (SyncServer.this) {
                if (closed) {
                    close();
                    return;
                }
                clients.add(this);
                send(dump.get(), "dump");
            }
            log.info("{} client {} connected", what, name);
            byte[] scratch = new byte[512];
            try {
                InputStream in = socket.getInputStream();
                while (in.read(scratch) >= 0) {
                    // a connector has nothing to say; reading only notices its end
                }
                log.info("{} client {} disconnected", what, name);
                finish(); // it may only have shut down its sending side: let what is queued reach it
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.info("{} client {} lost ({})", what, name, e.getMessage());
                }
                close();
            } catch (InterruptedException e) {
                close();
            }
        }

        /** Closes once the queued writes are out (at most a few seconds). */
        void finish() throws InterruptedException {
            clients.remove(this);
            writer.shutdown();
            writer.awaitTermination(5, TimeUnit.SECONDS);
            close();
        }

        void close() {
            clients.remove(this);
            writer.shutdownNow();
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /**
     * Binds {@code bind} (not yet accepting: see {@link #start}).
     *
     * @param what  what the port is, for log lines: "sync", "control"
     * @param dump  what a new connector gets first, as frames on the wire
     * @throws IOException when the address cannot be bound
     */
    public SyncServer(String what, InetSocketAddress bind, SyncGuard guard, Supplier<byte[]> dump, Logger log)
            throws IOException {
        this.what = what;
        this.guard = guard;
        this.dump = dump;
        this.log = log;
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(bind, 64);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + InetText.format(bind) + ": " + e.getMessage(), e);
        }
        this.server = s;
    }

    /** A server logging as {@code janytun.sync}. */
    public SyncServer(String what, InetSocketAddress bind, SyncGuard guard, Supplier<byte[]> dump)
            throws IOException {
        this(what, bind, guard, dump, LoggerFactory.getLogger("janytun.sync"));
    }

    private String threadPrefix() {
        return "janytun-" + what.replace(' ', '-');
    }

    /** The bound address (with the actual port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Starts accepting connectors on a background thread. */
    public synchronized void start() {
        if (acceptor != null) {
            return;
        }
        acceptor = Thread.ofPlatform().name(threadPrefix() + "-accept").daemon().start(this::acceptLoop);
        log.info("{} port listening on {} ({})", what, InetText.format(localAddress()), guard);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.error("accepting {} clients failed: {}", what, e.getMessage());
                    try {
                        Thread.sleep(100); // e.g. out of file descriptors: do not spin
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
                continue;
            }
            try {
                s.setKeepAlive(true);
                s.setTcpNoDelay(true);
            } catch (SocketException ignored) {
                // best effort
            }
            Client c = new Client(s);
            Thread.ofVirtual().name(threadPrefix() + "-client").start(c::serve);
        }
    }

    /** The number of admitted connectors. */
    public int clients() {
        return clients.size();
    }

    /**
     * Sends {@code frames} to every admitted connector, without waiting for any of them.
     *
     * @return the number of connectors it was queued for
     */
    public synchronized int broadcast(byte[] frames, String description) {
        int n = 0;
        for (Client c : clients) {
            c.send(frames, description);
            n++;
        }
        return n;
    }

    /** Stops accepting and disconnects every connector. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Client c : clients) {
            c.close();
        }
        Thread a;
        synchronized (this) {
            a = acceptor;
        }
        if (a != null) {
            try {
                a.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
