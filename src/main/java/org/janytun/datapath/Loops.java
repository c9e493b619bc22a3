package org.janytun.datapath;

import java.io.IOException;
import org.janytun.device.TunDevice;
import org.janytun.transport.DatagramReceiver;

/** What a {@link ThreadingPolicy} drives: the two stages, the receiver and device they wait on, and the run state. */
interface Loops {
    ReceiveStage receive();

    SendStage send();

    DatagramReceiver rx();

    TunDevice device();

    /** Between start and close. */
    boolean running();

    /** Reading the device failed for good: stop the daemon (once). */
    void deviceFailed(IOException e);
}
