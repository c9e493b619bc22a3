package org.janytun.it;

/** Short pauses inside bounded polling loops. */
public final class Sleep {
    private Sleep() {}

    public static void millis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
