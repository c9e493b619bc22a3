package org.janytun.noise;

import java.security.MessageDigest;
import java.util.Arrays;

/** Wiping and constant-time comparison of secret byte arrays. */
public final class Secrets {
    private Secrets() {}

    /** Overwrites {@code b} with zeros (best effort: the JCE keeps copies of its own we cannot reach). */
    public static void wipe(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }

    /** Equal length and content, in time independent of where they differ. */
    public static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
