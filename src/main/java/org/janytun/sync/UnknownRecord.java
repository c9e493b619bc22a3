package org.janytun.sync;

import org.janytun.address.InetText;

/**
 * A frame whose command is neither {@code connection} nor {@code route} (nor a {@link TableMarker}). The
 * references ignore such frames without an error (SYNC.md §1.5, interop test v7); so should a receiver.
 *
 * @param command the command string, as received
 */
public record UnknownRecord(String command) implements SyncRecord {
    public UnknownRecord {
        if (command.isEmpty() || command.length() > SyncCodec.MAX_COMMAND_LENGTH) {
            throw new IllegalArgumentException("a command has 1 to " + SyncCodec.MAX_COMMAND_LENGTH + " characters");
        }
    }

    @Override
    public String toString() {
        return "UnknownRecord[" + InetText.printable(command) + "]";
    }
}
