package org.janytun.device;

import org.janytun.os.OsException;

/** A batch write of which some packets failed and the others were written: {@link #failed()} says how many failed. */
public final class PartialWriteException extends OsException {
    private final int failed;

    public PartialWriteException(String what, int errno, int failed) {
        super(what, errno);
        this.failed = failed;
    }

    /** How many packets of the batch were not written. */
    public int failed() {
        return failed;
    }
}
