package org.janytun.process;

import sun.misc.Signal;

/**
 * Signals the JVM would otherwise treat as "terminate": SIGHUP must only be logged (anytun does that; uanytun's
 * reset of the sequence counter makes peers with a replay window drop everything, SPEC §16). SIGTERM and SIGINT
 * keep the JVM's handling, which runs the shutdown hooks.
 */
public final class Signals {
    private Signals() {}

    /** Runs {@code action} on signal {@code name} ("HUP", "USR1"); the JVM's own use of a signal wins. */
    public static void handle(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), s -> action.run());
        } catch (IllegalArgumentException alreadyTaken) {
            // e.g. started with -Xrs: the JVM keeps its own handling
        }
    }
}
