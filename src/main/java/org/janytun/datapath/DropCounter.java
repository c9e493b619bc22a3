package org.janytun.datapath;

import org.janytun.session.DropReason;

/** Where the packet path reports a dropped packet; must be cheap and allocation-free. */
@FunctionalInterface
public interface DropCounter {
    void count(DropReason reason);

    /** {@code n} packets dropped for {@code reason}. */
    default void count(DropReason reason, long n) {
        for (long i = 0; i < n; i++) {
            count(reason);
        }
    }
}
