package org.janytun.control;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.janytun.sync.SyncCodec;
import org.janytun.sync.TableChange;
import org.janytun.sync.TableMarker;
import org.janytun.syncio.SyncGuard;
import org.janytun.syncio.SyncServer;
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
 * its clients notice only at their next 10 s reconnect) every connected client at once gets what changed
 * ({@link #publish}, {@link TableChange}). Earlier versions pushed the new table whole, framed by two
 * {@link TableMarker}s with a new generation number, which janytun clients still take:
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
 *       not the matching end (the connection dropped) changes nothing until the next complete table. PacketResult
 *       connections should keep their own sequence counters, not the table's 0.</li>
 * </ul>
 * A janytun client may treat an end marker that follows the on-connect dump (the {@code endMarker} option, begin
 * implied by the connection's start) the same way, which also covers a restarted control daemon.
 *
 * <p>Unlike anytun's listener, clients that close their end are noticed (everything they send is read and
 * discarded) and closed, so no socket lingers in CLOSE-WAIT; and a client that stops reading is dropped once
 * too many pushes are waiting for it instead of blocking the others ({@link SyncServer}).
 */
public final class ControlServer implements Closeable {
    private final SyncCodec codec = new SyncCodec();
    private final boolean endMarker;
    private final SyncServer server;
    private ControlTable table;   // guarded by this
    private long generation;      // guarded by this

    /**
     * Binds {@code bind} (not yet accepting: see {@link #start}).
     *
     * @param endMarker whether the on-connect dump ends with a {@code janytun-table-end} frame
     * @throws IOException when the address cannot be bound
     */
    public ControlServer(ControlTable table, InetSocketAddress bind, boolean endMarker) throws IOException {
        this.table = table;
        this.endMarker = endMarker;
        this.server = new SyncServer("control", bind, SyncGuard.PLAIN, this::dump,
                LoggerFactory.getLogger("janytun-controld"));
    }

    /** What a client gets on connecting: the table, and with {@code endMarker} the end marker. */
    private synchronized byte[] dump() {
        return endMarker ? table.wire(codec.encodeFrame(new TableMarker(false, generation))) : table.wire();
    }

    /** Runs {@code task} each time a client's on-connect dump has been written ({@link SyncServer#afterEachDump}). */
    public void afterEachDump(Runnable task) {
        server.afterEachDump(task);
    }

    /** The bound address (with the actual port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    /** Starts accepting clients on a background thread. */
    public void start() {
        server.start();
    }

    /** The table served now. */
    public synchronized ControlTable table() {
        return table;
    }

    /** The number of connected clients. */
    public int clients() {
        return server.clients();
    }

    /**
     * Serves {@code newTable} from now on and pushes to every connected client what changed since the table served
     * before: {@code janytun-table-change G}, the frames that are new or changed, a drop for each record no longer
     * served, {@code janytun-table-end G} (see {@link org.janytun.sync.TableChange}). Every client holds the table
     * served before, since each got it on connecting or by the pushes since, in order on its connection.
     *
     * @return the number of clients it was pushed to
     */
    public int publish(ControlTable newTable) {
        // lock order: the server (which takes a dump under its lock), then this
        synchronized (server) {
            byte[] push;
            long g;
            ControlTable.Change change;
            synchronized (this) {
                change = newTable.changeFrom(table);
                table = newTable;
                generation = (generation + 1) & 0xFFFF_FFFFL;
                g = generation;
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(codec.encodeFrame(new TableChange(g)));
                b.writeBytes(change.wire(codec));
                b.writeBytes(codec.encodeFrame(new TableMarker(false, g)));
                push = b.toByteArray();
            }
            return server.broadcast(push, "table generation " + g + " (" + newTable + "; " + change + ")");
        }
    }

    /** Stops accepting and disconnects every client. */
    @Override
    public void close() {
        server.close();
    }
}
