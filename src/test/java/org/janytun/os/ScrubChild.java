package org.janytun.os;

/** Child JVM main for {@link ArgvScrubberTest}: scrubs its own argv, reports, then waits to be looked at and killed. */
public final class ScrubChild {
    public static void main(String[] args) throws Exception {
        int n = ArgvScrubber.scrubAnytunSecrets();
        System.out.println("SCRUBBED " + n + " " + String.join(",", args));
        System.out.flush();
        Thread.sleep(120_000);
    }
}
