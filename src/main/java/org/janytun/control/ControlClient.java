package org.janytun.control;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncRecord;
import org.janytun.sync.TableMarker;
import org.janytun.sync.UnknownRecord;
import org.janytun.transport.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code -X host[:port]}: keeps a TCP connection to a control daemon and hands each table it serves to the daemon.
 *
 * <p>A control daemon sends its whole table when a client connects (anytun-controld: the file, once;
 * janytun-controld: again after each reload, between {@link TableMarker}s). A table is what lies between the
 * markers, or, without markers, frames that follow each other without a pause of {@link #BATCH_QUIET}; it
 * replaces the previous one as a whole. A malformed frame drops the
 * connection with a logged reason and discards the partial table: the daemon keeps forwarding with what it has
 * and reconnects after {@link #RETRY}.
 */
public final class ControlClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("janytun.control");
    public static final Duration BATCH_QUIET = Duration.ofMillis(300);
    public static final Duration RETRY = Duration.ofSeconds(10);
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;
    /** More entries than any sane table has: a peer that never stops sending is cut off. */
    private static final int MAX_TABLE_ENTRIES = 1 << 16;

    /** Decodes one frame's archive text (without the length field); throws IOException saying what is wrong. */
    @FunctionalInterface
    public interface Decoder {
        SyncRecord decode(byte[] archive, int offset, int length) throws IOException;
    }

    /** The sync protocol's decoder. */
    public static final Decoder SYNC = SyncCodec::decodeBody;

    /** The largest frame body we accept: anytun's records are a few hundred bytes. */
    public static final int MAX_FRAME = 64 * 1024;

    private final HostPort target;
    private final Decoder decoder;
    private final BiConsumer<List<ConnectionRecord>, List<RouteRecord>> onTable;
    private final Duration retry;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Socket socket;

    public ControlClient(HostPort target, Decoder decoder,
                         BiConsumer<List<ConnectionRecord>, List<RouteRecord>> onTable) {
        this(target, decoder, onTable, RETRY);
    }

    ControlClient(HostPort target, Decoder decoder, BiConsumer<List<ConnectionRecord>, List<RouteRecord>> onTable,
                  Duration retry) {
        this.retry = retry;
        this.target = target;
        this.decoder = decoder;
        this.onTable = onTable;
        this.thread = Thread.ofPlatform().name("janytun-control").daemon().unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        while (running) {
            String reason = session();
            if (!running) {
                return;
            }
            log.info("control: connection to {} lost ({}), retrying in {} s", target, reason, retry.toSeconds());
            try {
                Thread.sleep(retry);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One connection: returns why it ended. */
    private String session() {
        try (Socket s = connect()) {
            socket = s;
            log.info("control: connected to {}", target);
            s.setSoTimeout((int) BATCH_QUIET.toMillis());
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int have = 0;
            List<ConnectionRecord> peers = new ArrayList<>();
            List<RouteRecord> routes = new ArrayList<>();
            boolean marked = false; // inside janytun's table markers: deliver at the end marker, not on a pause
            while (running) {
                int n;
                try {
                    n = in.read(buf, have, buf.length - have);
                } catch (SocketTimeoutException quiet) {
                    if (have == 0 && !marked && (!peers.isEmpty() || !routes.isEmpty())) {
                        deliver(peers, routes);
                        peers = new ArrayList<>();
                        routes = new ArrayList<>();
                    }
                    continue;
                }
                if (n < 0) {
                    throw new EOFException();
                }
                have += n;
                // every complete frame in the buffer: "LLLLL " and LLLLL bytes of archive text
                int pos = 0;
                while (have - pos >= 6) {
                    int len = frameLength(buf, pos);
                    if (have - pos < 6 + len) {
                        break;
                    }
                    switch (decoder.decode(buf, pos + 6, len)) {
                        case ConnectionRecord c -> peers.add(c);
                        case RouteRecord r -> routes.add(r);
                        case TableMarker m when m.begin() -> {
                            peers.clear(); // a new whole table starts
                            routes.clear();
                            marked = true;
                        }
                        case TableMarker m -> {
                            deliver(peers, routes);
                            peers = new ArrayList<>();
                            routes = new ArrayList<>();
                            marked = false;
                        }
                        case UnknownRecord u -> log.debug("control: ignoring a frame of unknown kind");
                    }
                    if (peers.size() + routes.size() > MAX_TABLE_ENTRIES) {
                        return "more than " + MAX_TABLE_ENTRIES + " entries without a pause";
                    }
                    pos += 6 + len;
                }
                System.arraycopy(buf, pos, buf, 0, have - pos);
                have -= pos;
                if (have == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_FRAME + 6));
                }
            }
            return "stopped";
        } catch (EOFException e) {
            return "closed by the control daemon";
        } catch (IOException | RuntimeException e) {
            return e.getMessage() != null ? e.getMessage() : e.toString();
        } finally {
            socket = null;
        }
    }

    /** The length field of the frame at {@code pos}: five decimal digits and a space, at most {@link #MAX_FRAME}. */
    static int frameLength(byte[] b, int pos) throws IOException {
        int len = 0;
        for (int i = 0; i < 5; i++) {
            int d = b[pos + i] - '0';
            if (d < 0 || d > 9) {
                throw new IOException("malformed frame: the length field is not 5 digits");
            }
            len = len * 10 + d;
        }
        if (b[pos + 5] != ' ') {
            throw new IOException("malformed frame: no space after the length field");
        }
        if (len > MAX_FRAME) {
            throw new IOException("malformed frame: " + len + " bytes is more than " + MAX_FRAME);
        }
        return len;
    }

    private Socket connect() throws IOException {
        IOException last = null;
        for (InetAddress a : InetAddress.getAllByName(target.host())) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(a, target.port()), CONNECT_TIMEOUT_MILLIS);
                return s;
            } catch (IOException e) {
                s.close();
                last = e;
            }
        }
        throw last != null ? last : new IOException("no address for " + target.host());
    }

    private void deliver(List<ConnectionRecord> peers, List<RouteRecord> routes) {
        log.info("control: table from {}: {} connections, {} routes", target, peers.size(), routes.size());
        try {
            onTable.accept(List.copyOf(peers), List.copyOf(routes));
        } catch (RuntimeException e) {
            log.error("control: table not applied: {}", e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
    }
}
