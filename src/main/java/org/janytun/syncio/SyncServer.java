package org.janytun.syncio;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.janytun.address.InetText;
import org.janytun.log.RateLimitedLog;
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
 *
 * <p>Bounded against strangers ({@link Limits}): a connector has one overall deadline for its admission (the
 * protected handshake), not just one per read; there is a cap on connections per source address and one in total.
 * When the total is reached, a newcomer displaces the oldest connector still in its handshake, else the oldest of
 * the source holding the most connections (so that 1,000 idle connections from a few hosts cannot lock a real peer
 * out), else it is refused. Every line a stranger can cause (refused, connected, disconnected) is rate-limited.
 */
public final class SyncServer implements Closeable {
    /** Writes that may wait for one slow connector before it is dropped. */
    public static final int MAX_PENDING = 16;

    /**
     * @param perSource most connections (in handshake or admitted) from one address
     * @param total     most connections in all
     * @param handshake how long a connector has from accept to admission, in all
     */
    public record Limits(int perSource, int total, Duration handshake) {
        /** What the sync and control ports use: a cluster or a control daemon's servers are far fewer. */
        public static final Limits DEFAULT = new Limits(16, 256, Duration.ofSeconds(5));
    }

    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
    /** Closes connectors whose admission is overdue; one thread for all listeners, idle while nobody connects. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlineTimer();

    private static ScheduledThreadPoolExecutor deadlineTimer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().name("janytun-listener-deadlines").daemon().unstarted(r));
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    private final Limits limits;
    /** Every connection from accept to close, oldest first; guarded by itself. */
    private final LinkedHashSet<Client> live = new LinkedHashSet<>();
    private final Map<InetAddress, Integer> perSource = new HashMap<>();
    private final RateLimitedLog refusedLog = new RateLimitedLog(LOG_INTERVAL);
    private final RateLimitedLog connectedLog = new RateLimitedLog(LOG_INTERVAL);
    private final RateLimitedLog goneLog = new RateLimitedLog(LOG_INTERVAL);
    private final RateLimitedLog sentLog = new RateLimitedLog(LOG_INTERVAL);

    private final Logger log;
    private final String what;
    private final ServerSocket server;
    private final SyncGuard guard;
    private final Supplier<byte[]> dump;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private volatile Runnable afterDump = () -> { };
    private volatile boolean closed;
    private Thread acceptor;

    private final class Client {
        final Socket socket;
        final InetAddress source;
        volatile boolean admitted;
        final String name;
        final ExecutorService writer = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name(threadPrefix() + "-writer").factory());
        final AtomicInteger pending = new AtomicInteger();
        volatile OutputStream out;

        Client(Socket socket) {
            this.socket = socket;
            this.source = socket.getInetAddress();
            this.name = InetText.format((InetSocketAddress) socket.getRemoteSocketAddress());
        }

        /** Runs {@code task} on the writer once what is queued is written (and the queued arrays are garbage). */
        void afterWrites(Runnable task) {
            try {
                writer.execute(task);
            } catch (RejectedExecutionException e) {
                // closed meanwhile
            }
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
                        String suffix = log.isDebugEnabled() ? sentLog.permit() : null;
                        if (suffix != null) {
                            log.debug("sent {} ({} bytes) to {}{}", description, bytes.length, name, suffix);
                        }
                    } catch (IOException e) {
                        if (!socket.isClosed()) {
                            logGone("lost (" + describe(e) + ")");
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
            ScheduledFuture<?> deadline = DEADLINES.schedule(this::close, limits.handshake().toMillis(),
                    TimeUnit.MILLISECONDS);
            try {
                out = guard.admit(socket);
            } catch (IOException e) {
                String suffix = refusedLog.permit();
                if (suffix != null) {
                    log.warn("{} client {} refused: {}{}", what, name, socket.isClosed()
                            ? "closed in the handshake (its " + limits.handshake().toSeconds()
                            + " s were up, or a newer connection needed the room)" : describe(e), suffix);
                }
                close();
                return;
            } finally {
                deadline.cancel(false);
            }
            admitted = true;
            synchronized (SyncServer.this) {
                if (closed) {
                    close();
                    return;
                }
                clients.add(this);
                send(dump.get(), "dump");
                afterWrites(afterDump);
            }
            String suffix = connectedLog.permit();
            if (suffix != null) {
                log.info("{} client {} connected{}", what, name, suffix);
            }
            byte[] scratch = new byte[512];
            try {
                InputStream in = socket.getInputStream();
                while (in.read(scratch) >= 0) {
                    // a connector has nothing to say; reading only notices its end
                }
                logGone("disconnected");
                finish(); // it may only have shut down its sending side: let what is queued reach it
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    logGone("lost (" + describe(e) + ")");
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

        void logGone(String how) {
            String suffix = goneLog.permit();
            if (suffix != null) {
                log.info("{} client {} {}{}", what, name, how, suffix);
            }
        }

        void close() {
            clients.remove(this);
            release(this);
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
        this(what, bind, guard, dump, log, Limits.DEFAULT);
    }

    /** As above, with other limits (tests). */
    public SyncServer(String what, InetSocketAddress bind, SyncGuard guard, Supplier<byte[]> dump, Logger log,
                      Limits limits) throws IOException {
        this.limits = limits;
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

    /**
     * Runs {@code task} each time a connector's dump has been written, on that connector's writer thread (the
     * control daemon compacts its heap then: a dump of 65,535 connections is 19 MB of garbage once sent).
     */
    public void afterEachDump(Runnable task) {
        afterDump = task;
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
            if (!register(c)) {
                continue;
            }
            Thread.ofVirtual().name(threadPrefix() + "-client").start(c::serve);
        }
    }

    /**
     * Counts a new connection against the limits, making room by closing another if the total is reached (see the
     * class comment); closes it and returns false if it cannot be taken.
     */
    private boolean register(Client c) {
        Client evict = null;
        String refused = null;
        synchronized (live) {
            int fromSource = perSource.getOrDefault(c.source, 0);
            if (fromSource >= limits.perSource()) {
                refused = "more than " + limits.perSource() + " connections from " + c.source.getHostAddress();
            } else if (live.size() >= limits.total()) {
                evict = displaceable(fromSource);
                if (evict == null) {
                    refused = "already " + limits.total() + " connections";
                } else {
                    forget(evict); // now, so that the total is never exceeded, not even until it is closed below
                }
            }
            if (refused == null) {
                live.add(c);
                perSource.merge(c.source, 1, Integer::sum);
            }
        }
        if (evict != null) {
            evict.close();
        }
        if (refused != null) {
            String suffix = refusedLog.permit();
            if (suffix != null) {
                log.warn("{} client {} refused: {}{}", what, c.name, refused, suffix);
            }
            c.close();
            return false;
        }
        return true;
    }

    /** Under the lock: the oldest connector still in its handshake, else the oldest of the busiest source. */
    private Client displaceable(int newcomersConnections) {
        InetAddress busiest = null;
        int most = 0;
        for (Map.Entry<InetAddress, Integer> e : perSource.entrySet()) {
            if (e.getValue() > most) {
                most = e.getValue();
                busiest = e.getKey();
            }
        }
        Client oldestOfBusiest = null;
        for (Client c : live) {
            if (!c.admitted) {
                return c;
            }
            if (oldestOfBusiest == null && c.source.equals(busiest)) {
                oldestOfBusiest = c;
            }
        }
        return most > newcomersConnections + 1 ? oldestOfBusiest : null;
    }

    private void release(Client c) {
        synchronized (live) {
            forget(c);
        }
    }

    /** Under the lock: {@code c} no longer counts against the limits (once, however often it is called). */
    private void forget(Client c) {
        if (live.remove(c)) {
            perSource.computeIfPresent(c.source, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    /** Connections open now, in handshake or admitted (tests, metrics). */
    public int connections() {
        synchronized (live) {
            return live.size();
        }
    }

    /** A one-line reason: the JDK leaves the message of an early end of stream null. */
    static String describe(IOException e) {
        if (e instanceof java.io.EOFException) {
            return "closed the connection during the handshake";
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return "sent nothing for too long during the handshake";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
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
        List<Client> all;
        synchronized (live) {
            all = List.copyOf(live);
        }
        all.forEach(Client::close); // admitted ones and those still in their handshake
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
