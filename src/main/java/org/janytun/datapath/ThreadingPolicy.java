package org.janytun.datapath;

import java.util.List;
import java.util.function.BiFunction;

/**
 * How the two stages get threads and wait for work (Aeron's threading modes are the model): the stages know nothing
 * of threads, the policy knows nothing of packets. {@link AdaptiveThreads} where the transport and the device can be
 * polled together (one thread at low rates, two under load), {@link DedicatedThreads} where they cannot.
 */
interface ThreadingPolicy {
    /** Makes (not starts) the loops' platform threads with {@code threads}, given a short name and a body. */
    List<Thread> threads(BiFunction<String, Runnable, Thread> threads);

    /** Wakes the loops so that they see that the data path is stopping; from any thread. */
    void wake();

    /** Releases what the policy holds (eventfds), once its threads have ended. */
    void close();

    /** For the log: how the threads share the work. */
    String describe();
}
