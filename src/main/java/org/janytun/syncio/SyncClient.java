package org.janytun.syncio;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.SyncFormatException;
import org.janytun.sync.SyncFrameReader;
import org.janytun.sync.SyncRecord;
import org.janytun.sync.TableChange;
import org.janytun.sync.TableDrop;
import org.janytun.sync.TableMarker;
import org.janytun.sync.UnknownRecord;
import org.janytun.address.HostPort;
import org.janytun.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connecting side of a control ({@code -X}) or sync ({@code -M}) connection: keeps a TCP connection to the
 * host, reconnecting {@link #RETRY} after a loss, and hands on what it reads. Two ways to hand it on:
 * <ul>
 *   <li><b>tables</b> ({@code -X}): a control daemon sends its whole table when a client connects
 *       (anytun-controld: the file, once; janytun-controld: then after each reload what changed, between a
 *       {@link TableChange} and an end {@link TableMarker}). A table is what lies between the markers, or, without
 *       markers, frames that follow each other without a pause of {@link #BATCH_QUIET}; it replaces the previous
 *       one as a whole. A change is handed on as such, applied to the table handed on before; if it cannot be, the
 *       client connects again at once for the whole table. A malformed frame drops the connection and the partial
 *       table;</li>
 *   <li><b>records</b> ({@code -M}): a cluster peer sends what it knows when we connect, then each change; records
 *       are handed on as they arrive (those read together in one go). A frame that does not decode (a 5000-byte
 *       salt, a host name as the endpoint) is skipped with a log line, and the rest is applied; only a stream out
 *       of step (a length field that is no number, an oversize frame) drops the connection.</li>
 * </ul>
 * Unlike anytun's connector (SYNC.md §1.8, §6.13), a failed first connect is logged, and TCP keepalive notices a
 * peer that vanished without a FIN within about a minute.
 */
public final class SyncClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("janytun.sync");
    public static final Duration BATCH_QUIET = Duration.ofMillis(300);
    public static final Duration RETRY = Duration.ofSeconds(10);
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;
    /** More entries than any sane table has: a peer that never stops sending is cut off. */
    private static final int MAX_TABLE_ENTRIES = 1 << 19;
    /** The largest frame body we accept: anytun's records are a few hundred bytes. */
    public static final int MAX_FRAME = 64 * 1024;

    /** Why a session ends when a change cannot be applied: the client connects again at once. */
    private static final String WHOLE_TABLE = "a table change that does not apply to what is held";

    private final String what;
    private final HostPort target;
    private final SyncGuard guard;
    private final Tables onTable;
    private final Consumer<List<SyncRecord>> onRecords;
    private final Duration retry;
    private final Thread thread;
    /** A peer pushes a record per endpoint change, which outsiders may cause: one debug line per 10 s at most. */
    private final RateLimitedLog recordsLog = new RateLimitedLog(Duration.ofSeconds(10));
    private volatile boolean running = true;
    private volatile Socket socket;
    /** For show and the metrics: since when (System.nanoTime) the link is up or down, and why it went down. */
    private volatile long stateSinceNanos = System.nanoTime();
    private volatile String problem = "not connected yet";

    /** Whether a peer link is up now, since when, and why it is down. */
    public record State(HostPort target, boolean up, long sinceNanos, String problem) {}

    /** Where a {@code -X} client hands on what it reads. */
    public interface Tables {
        /** A whole table: it replaces what this control host served before. */
        void table(List<ConnectionRecord> connections, List<RouteRecord> routes);

        /**
         * A change to the table handed on before on this connection ({@link TableChange}): the records that are new
         * or changed and those no longer served.
         *
         * @return false when it cannot be applied to what is held (the previous table was refused): the client then
         *         connects again at once, and the control host sends its whole table
         */
        boolean change(List<ConnectionRecord> connections, List<RouteRecord> routes, List<TableDrop> drops);
    }

    private SyncClient(String what, HostPort target, SyncGuard guard, Tables onTable,
                       Consumer<List<SyncRecord>> onRecords, Duration retry) {
        this.what = what;
        this.retry = retry;
        this.target = target;
        this.guard = guard;
        this.onTable = onTable;
        this.onRecords = onRecords;
        this.thread = Thread.ofPlatform().name("janytun-" + what + "-" + target).daemon().unstarted(this::run);
    }

    /** A {@code -X} client: hands on whole tables and changes to them. */
    public static SyncClient forTables(HostPort target, Tables onTable, Duration retry) {
        return new SyncClient("control", target, SyncGuard.PLAIN, onTable, null, retry);
    }

    /** A {@code -X} client that takes whole tables only: after a change it connects again for the whole table. */
    public static SyncClient forTables(HostPort target, BiConsumer<List<ConnectionRecord>, List<RouteRecord>> onTable,
                                       Duration retry) {
        return forTables(target, new Tables() {
            @Override
            public void table(List<ConnectionRecord> connections, List<RouteRecord> routes) {
                onTable.accept(connections, routes);
            }

            @Override
            public boolean change(List<ConnectionRecord> connections, List<RouteRecord> routes, List<TableDrop> drops) {
                return false;
            }
        }, retry);
    }

    /** A {@code -M} client: hands on records as they arrive. */
    public static SyncClient forRecords(HostPort target, SyncGuard guard, Consumer<List<SyncRecord>> onRecords,
                                        Duration retry) {
        return new SyncClient("sync", target, guard, null, onRecords, retry);
    }

    public void start() {
        thread.start();
    }

    /** The link's state now: up, or down and why. */
    public State state() {
        String p = problem;
        return new State(target, socket != null && p == null, stateSinceNanos, p);
    }

    private void down(String reason) {
        if (problem == null) {
            stateSinceNanos = System.nanoTime();
        }
        problem = reason;
    }

    private void run() {
        boolean everConnected = false;
        String lastReason = null;
        while (running) {
            Socket s;
            try {
                s = connect();
            } catch (IOException e) {
                String reason = e.getMessage() != null ? e.getMessage() : e.toString();
                down(reason);
                if (!reason.equals(lastReason)) { // the reference says nothing about failed connects; once is enough
                    log.warn("{}: cannot connect to {} ({}), retrying every {} s", what, target, reason,
                            retry.toSeconds());
                    lastReason = reason;
                }
                if (!pause()) {
                    return;
                }
                continue;
            }
            everConnected = true;
            lastReason = null;
            String reason = session(s);
            down(reason);
            if (!running) {
                return;
            }
            if (reason.equals(WHOLE_TABLE)) {
                log.info("{}: connecting to {} again for its whole table", what, target);
                continue;
            }
            log.info("{}: connection to {} lost ({}), retrying in {} s", what, target, reason, retry.toSeconds());
            if (!pause()) {
                return;
            }
        }
        if (!everConnected) {
            log.debug("{}: never connected to {}", what, target);
        }
    }

    private boolean pause() {
        try {
            Thread.sleep(retry);
            return running;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** One connection: returns why it ended. */
    private String session(Socket s) {
        socket = s;
        try (s) {
            InputStream in = guard.open(s);
            log.info("{}: connected to {}", what, target);
            stateSinceNanos = System.nanoTime();
            problem = null;
            if (onTable != null) {
                s.setSoTimeout((int) BATCH_QUIET.toMillis());
            }
            return read(in);
        } catch (EOFException e) {
            return "closed by the peer";
        } catch (IOException | RuntimeException e) {
            return e.getMessage() != null ? e.getMessage() : e.toString();
        } finally {
            socket = null;
        }
    }

    private String read(InputStream in) throws IOException {
        byte[] buf = new byte[65536];
        int have = 0;
        List<ConnectionRecord> peers = new ArrayList<>();
        List<RouteRecord> routes = new ArrayList<>();
        List<SyncRecord> records = new ArrayList<>();
        List<TableDrop> drops = new ArrayList<>();
        boolean marked = false; // inside janytun's table markers: deliver at the end marker, not on a pause
        boolean changing = false; // inside a janytun-table-change
        boolean held = false; // a whole table was handed on from this connection: a change applies to it
        while (running) {
            int n;
            try {
                n = in.read(buf, have, buf.length - have);
            } catch (SocketTimeoutException quiet) {
                if (have == 0 && !marked && (!peers.isEmpty() || !routes.isEmpty())) {
                    deliverTable(peers, routes);
                    peers = new ArrayList<>();
                    routes = new ArrayList<>();
                    held = true;
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
                SyncRecord r;
                try {
                    r = SyncCodec.decodeBody(buf, pos + 6, len);
                } catch (SyncFormatException e) {
                    if (onTable != null) {
                        throw e;
                    }
                    log.warn("{}: skipped a frame from {}: {}", what, target, e.getMessage());
                    pos += 6 + len;
                    continue;
                }
                pos += 6 + len;
                if (onRecords != null) {
                    if (!(r instanceof UnknownRecord)) {
                        records.add(r);
                    }
                    continue;
                }
                switch (r) {
                    case ConnectionRecord c -> peers.add(c);
                    case RouteRecord rr -> routes.add(rr);
                    case TableMarker m when m.begin() -> {
                        peers.clear(); // a new whole table starts
                        routes.clear();
                        marked = true;
                        changing = false;
                    }
                    case TableChange c -> {
                        if (!marked && (!peers.isEmpty() || !routes.isEmpty())) {
                            deliverTable(peers, routes); // the dump on connecting, without an end marker
                            held = true;
                        }
                        if (!held) {
                            return WHOLE_TABLE;
                        }
                        peers = new ArrayList<>();
                        routes = new ArrayList<>();
                        drops = new ArrayList<>();
                        marked = true;
                        changing = true;
                    }
                    case TableMarker m -> {
                        if (changing && !deliverChange(peers, routes, drops)) {
                            return WHOLE_TABLE;
                        } else if (!changing) {
                            deliverTable(peers, routes);
                        }
                        peers = new ArrayList<>();
                        routes = new ArrayList<>();
                        drops = new ArrayList<>();
                        marked = false;
                        changing = false;
                        held = true;
                    }
                    case TableDrop d -> {
                        if (changing) {
                            drops.add(d);
                        } else {
                            log.debug("{}: ignoring a drop outside a table change", what);
                        }
                    }
                    case UnknownRecord u -> log.debug("{}: ignoring a frame of unknown kind", what);
                }
                if (peers.size() + routes.size() + drops.size() > MAX_TABLE_ENTRIES) {
                    return "more than " + MAX_TABLE_ENTRIES + " entries without a pause";
                }
            }
            // a dump arrives in many reads: hand it on once nothing more is waiting (or a table's worth is read),
            // since each hand-on rebuilds the whole table (a rebuild per read made a dump quadratic)
            if (!records.isEmpty() && (in.available() == 0 || records.size() >= MAX_TABLE_ENTRIES)) {
                deliverRecords(records);
                records = new ArrayList<>();
            }
            System.arraycopy(buf, pos, buf, 0, have - pos);
            have -= pos;
            if (have == buf.length) {
                buf = Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_FRAME + 6));
            }
        }
        return "stopped";
    }

    /**
     * The length field of the frame at {@code pos}, read by {@link SyncFrameReader#parseLength} (the one parser of
     * the framing), and at most {@link #MAX_FRAME}.
     */
    static int frameLength(byte[] b, int pos) throws IOException {
        int len = SyncFrameReader.parseLength(b, pos);
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
                keepAlive(s);
                return s;
            } catch (IOException e) {
                s.close();
                last = e;
            }
        }
        throw last != null ? last : new IOException("no address for " + target.host());
    }

    /** Probes after 30 s of silence, every 10 s, 3 times: a vanished peer is noticed within a minute. */
    private static void keepAlive(Socket s) {
        try {
            s.setKeepAlive(true);
            s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 30);
            s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 10);
            s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: plain keepalive, or none
        }
    }

    private void deliverTable(List<ConnectionRecord> peers, List<RouteRecord> routes) {
        log.info("{}: table from {}: {} connections, {} routes", what, target, peers.size(), routes.size());
        try {
            onTable.table(List.copyOf(peers), List.copyOf(routes));
        } catch (RuntimeException e) {
            log.error("{}: table not applied: {}", what, e.toString());
        }
    }

    /** Hands on a change; false when it does not apply to what is held. */
    private boolean deliverChange(List<ConnectionRecord> peers, List<RouteRecord> routes, List<TableDrop> drops) {
        log.info("{}: table change from {}: {} connections and {} routes new or changed, {} dropped", what, target,
                peers.size(), routes.size(), drops.size());
        try {
            return onTable.change(List.copyOf(peers), List.copyOf(routes), List.copyOf(drops));
        } catch (RuntimeException e) {
            log.error("{}: table change not applied: {}", what, e.toString());
            return false;
        }
    }

    private void deliverRecords(List<SyncRecord> records) {
        String suffix = log.isDebugEnabled() ? recordsLog.permit() : null;
        if (suffix != null) {
            log.debug("{}: {} records from {}{}", what, records.size(), target, suffix);
        }
        try {
            onRecords.accept(List.copyOf(records));
        } catch (RuntimeException e) {
            log.error("{}: records not applied: {}", what, e.toString());
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
