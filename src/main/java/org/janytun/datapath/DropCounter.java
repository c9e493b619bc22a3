package org.janytun.datapath;

import org.janytun.session.DropReason;

/** Where the packet path reports a dropped packet; must be cheap and allocation-free. */
@FunctionalInterface
public interface DropCounter {
    void count(DropReason reason);
}
