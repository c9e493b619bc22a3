package org.janytun.sync;

/**
 * janytun's extension to the sync protocol: begins a <em>change</em> to the table a sender pushed before on the same
 * connection, ended by the {@link TableMarker} end marker of the same generation. janytun-controld pushes one after
 * SIGHUP instead of the whole table again:
 * <pre>
 *   janytun-table-change G, the frames of the records that are new or changed, a {@link TableDrop} for each record
 *   no longer served, janytun-table-end G
 * </pre>
 * so that a reload that changes one record of 65,535 sends one frame, not 19 MB. A real {@code anytun -X} skips the
 * unknown frames (SYNC.md §1.5) and applies the changed records as create-or-update, as it would the whole table (it
 * never deletes anything); the records it does not get again keep their state, sequence counters included.
 * On the wire: {@code 00058 22 serialization::archive 18 0 0 20 janytun-table-change 7}.
 *
 * @param generation the table's number after the change: the same in the end marker
 */
public record TableChange(long generation) implements SyncRecord {
    public static final String COMMAND = "janytun-table-change";

    public TableChange {
        SyncCodec.checkUint32("generation", generation);
    }
}
