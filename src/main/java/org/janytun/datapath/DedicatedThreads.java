package org.janytun.datapath;

import java.util.List;
import java.util.function.BiFunction;

/**
 * A thread per direction, each waiting inside its own stage's I/O with a short timeout: for a transport (the JDK
 * channel) or a device that cannot be polled together. Stopping takes at most one timeout.
 */
final class DedicatedThreads implements ThreadingPolicy {
    private static final int WAIT_MILLIS = 250;
    private final Loops loops;

    DedicatedThreads(Loops loops) {
        this.loops = loops;
    }

    @Override
    public List<Thread> threads(BiFunction<String, Runnable, Thread> threads) {
        return List.of(threads.apply("device", this::sendLoop), threads.apply("udp", this::receiveLoop));
    }

    private void sendLoop() {
        while (loops.running()) {
            try {
                if (loops.send().pull(WAIT_MILLIS) < 0) {
                    return;
                }
                loops.send().tick(System.nanoTime());
            } catch (java.io.IOException e) {
                loops.deviceFailed(e);
                return;
            }
        }
    }

    private void receiveLoop() {
        while (loops.running()) {
            if (loops.receive().pull(loops.rx(), WAIT_MILLIS) < 0) {
                return;
            }
        }
    }

    @Override
    public void wake() {
        // each loop looks at running() at least every WAIT_MILLIS
    }

    @Override
    public void close() {
        // nothing held
    }

    @Override
    public String describe() {
        return "a thread per direction";
    }
}
