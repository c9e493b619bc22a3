package org.janytun.sync;

/**
 * One message of the anytun sync protocol (SYNC.md §1): a {@link ConnectionRecord}, a {@link RouteRecord}, a
 * {@link TableMarker} (a janytun extension the references skip), or an {@link UnknownRecord} (a command this
 * implementation does not know; the references skip those too).
 */
public sealed interface SyncRecord permits ConnectionRecord, RouteRecord, TableMarker, TableChange, TableDrop,
        UnknownRecord {
}
