package org.janytun.control;

import java.io.ByteArrayOutputStream;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.TableMarker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening side of a control daemon: serves a {@link ControlTable} to every client that connects, as
 * anytun-controld does, and pushes a new table to the connected clients on {@link #publish}.
 *
 * <p><b>On connect</b> a client gets the table's frames in file order, exactly the bytes anytun-controld sends
 * (SYNC.md §2.2): real {@code anytun -X} clients and janytun clients apply them as create-or-update. With
 * {@code endMarker} set, a {@code janytun-table-end <generation>} frame follows them (see below); anytun ignores it.
 *
 * <p><b>On reload</b> (janytun-controld's SIGHUP; anytun-controld only logs SIGHUP and has to be restarted, which
 * its clients notice only at their next 10 s reconnect) every connected client at once gets the new table framed by
 * two {@link TableMarker}s with a new generation number:
 * <pre>
 *   janytun-table-begin G, frame 1, ..., frame n, janytun-table-end G
 * </pre>
 * The markers are ordinary frames with a command the references do not know, and anytun skips unknown commands
 * and applies the next frame (SYNC.md §1.5, test v7). So:
 * <ul>
 *   <li>a real {@code anytun -X} applies frames 1..n as it would a new dump: changed keys and new connections and
 *       routes take effect at once. It never deletes anything (nor does it when anytun-controld restarts), and
 *       being the reference, it resets each connection's sequence counter to the table's (SYNC.md §2.2);</li>
 *   <li>a janytun {@code -X} client takes frames 1..n as the <em>complete</em> table of this control host: once it
 *       has read {@code janytun-table-end G} it removes the connections and routes it had learned from this control
 *       host that were not among frames 1..n. That is how "gone" is signalled: by absence from a complete table,
 *       never by a delete message, so a lost push cannot delete the wrong thing, and a client that saw a begin but
 *       not the matching end (the connection dropped) changes nothing until the next complete table. Received
 *       connections should keep their own sequence counters, not the table's 0.</li>
 * </ul>
 * A janytun client may treat an end marker that follows the on-connect dump (the {@code endMarker} option, begin
 * implied by the connection's start) the same way, which also covers a restarted control daemon.
 *
 * <p>Unlike anytun's listener, clients that close their end are noticed (everything they send is read and
 * discarded) and closed, so no socket lingers in CLOSE-WAIT; and a client that stops reading is dropped once
 * {@value #MAX_PENDING} pushes are waiting for it instead of blocking the others.
 */
public final class ControlServer implements Closeable {
    private static final Logger log = LoggerFactory.getLogger("janytun-controld");
    /** Pushes that may wait for one slow client before it is dropped. */
    public static final int MAX_PENDING = 4;

    private final ServerSocket server;
    private final SyncCodec codec = new SyncCodec();
    private final boolean endMarker;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private ControlTable table;   // guarded by this
    private long generation;      // guarded by this
    private volatile boolean closed;
    private Thread acceptor;

    private final class Client {
        final Socket socket;
        final String name;
        final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("controld-writer").factory());
        final AtomicInteger pending = new AtomicInteger();

        Client(Socket socket) {
            this.socket = socket;
            this.name = format((InetSocketAddress) socket.getRemoteSocketAddress());
        }

        void send(byte[] bytes, String what) {
            if (pending.incrementAndGet() > MAX_PENDING) {
                log.warn("control client {} is not reading: {} pushes waiting, disconnecting it", name, MAX_PENDING);
                close();
                return;
            }
            try {
                writer.execute(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        out.write(bytes);
                        out.flush();
                        log.debug("sent {} ({} bytes) to {}", what, bytes.length, name);
                    } catch (IOException e) {
                        if (!socket.isClosed()) {
                            log.info("control client {} lost ({})", name, e.getMessage());
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

        /** Reads and discards until the client closes, then closes our end. */
        void drain() {
            byte[] scratch = new byte[512];
            try (InputStream in = socket.getInputStream()) {
                while (in.read(scratch) >= 0) {
                    // a control client has nothing to say; reading only notices its end
                }
                log.info("control client {} disconnected", name);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.info("control client {} lost ({})", name, e.getMessage());
                }
            }
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
     * @param endMarker whether the on-connect dump ends with a {@code janytun-table-end} frame
     * @throws IOException when the address cannot be bound
     */
    public ControlServer(ControlTable table, InetSocketAddress bind, boolean endMarker) throws IOException {
        this.table = table;
        this.endMarker = endMarker;
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(bind, 64);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + format(bind) + ": " + e.getMessage(), e);
        }
        this.server = s;
    }

    /** The bound address (with the actual port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Starts accepting clients on a background thread. */
    public synchronized void start() {
        if (acceptor != null) {
            return;
        }
        acceptor = Thread.ofPlatform().name("controld-accept").daemon().start(this::acceptLoop);
        log.info("control server listening on {}", format(localAddress()));
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.error("accepting control clients failed: {}", e.getMessage());
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
            log.info("new control client connected from {}", c.name);
            synchronized (this) {
                if (closed) {
                    c.close();
                    return;
                }
                clients.add(c);
                byte[] dump = table.wire();
                if (endMarker) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.writeBytes(dump);
                    b.writeBytes(codec.encodeFrame(new TableMarker(false, generation)));
                    dump = b.toByteArray();
                }
                c.send(dump, "table (" + table + ")");
            }
            Thread.ofVirtual().name("controld-reader").start(c::drain);
        }
    }

    /** The table served now. */
    public synchronized ControlTable table() {
        return table;
    }

    /** The number of connected clients. */
    public int clients() {
        return clients.size();
    }

    /**
     * Serves {@code newTable} from now on and pushes it, between a begin and an end marker of a new generation, to
     * every connected client.
     *
     * @return the number of clients it was pushed to
     */
    public synchronized int publish(ControlTable newTable) {
        table = newTable;
        generation = (generation + 1) & 0xFFFF_FFFFL;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(codec.encodeFrame(new TableMarker(true, generation)));
        b.writeBytes(newTable.wire());
        b.writeBytes(codec.encodeFrame(new TableMarker(false, generation)));
        byte[] push = b.toByteArray();
        int n = 0;
        for (Client c : clients) {
            c.send(push, "table generation " + generation + " (" + newTable + ")");
            n++;
        }
        return n;
    }

    /** Stops accepting and disconnects every client. */
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

    static String format(InetSocketAddress a) {
        if (a == null) {
            return "?";
        }
        String host = a.getAddress() == null ? a.getHostString()
                : org.janytun.route.InetText.format(a.getAddress().getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
