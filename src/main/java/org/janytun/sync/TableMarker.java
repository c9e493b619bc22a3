package org.janytun.sync;

/**
 * janytun's extension to the sync protocol: marks the beginning and the end of a complete table that a sender
 * pushes again on a connection that already received one (janytun-controld does so after SIGHUP). The frames in
 * between are the whole table of that sender, so a janytun receiver may drop what it learned from that sender
 * earlier and did not receive again (see {@link org.janytun.control.ControlServer}).
 *
 * <p>On the wire it is an ordinary frame with the command {@code janytun-table-begin} or
 * {@code janytun-table-end} followed by the generation number:
 * {@code 00049 22 serialization::archive 18 0 0 19 janytun-table-begin 2}. The references ignore frames with an
 * unknown command and apply the next one (SYNC.md §1.5, interop test v7), so real {@code anytun -X} clients
 * simply apply the table frames in between, as they would a new connection's dump.
 *
 * @param begin true for the marker before the table, false for the one after it
 * @param generation the table's number: the same in both markers of one table, growing from table to table
 */
public record TableMarker(boolean begin, long generation) implements SyncRecord {
    public static final String BEGIN_COMMAND = "janytun-table-begin";
    public static final String END_COMMAND = "janytun-table-end";

    public TableMarker {
        if (generation < 0 || generation > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("generation " + generation + " is out of range (0 to 4294967295)");
        }
    }

    public String command() {
        return begin ? BEGIN_COMMAND : END_COMMAND;
    }
}
