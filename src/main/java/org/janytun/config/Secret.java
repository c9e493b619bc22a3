package org.janytun.config;

import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * Secret bytes from the command line (master key, master salt, passphrase). Its {@code toString} shows only the
 * length, so a secret cannot end up in a log line or an error message by accident. Equality is identity, and the
 * hash code does not depend on the content.
 *
 * <p>{@link #bytes()} hands out a copy; the owner calls {@link #destroy()} (zeroes the bytes) once the keys are
 * derived. Note that the original command-line {@code String} stays in the heap until collected, and unlike the C
 * daemons Java cannot overwrite the process's argv: prefer {@code --config} for secrets.
 */
public final class Secret implements Destroyable {
    private final byte[] bytes;
    private volatile boolean destroyed;

    private Secret(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A secret holding a copy of {@code bytes}. */
    public static Secret of(byte[] bytes) {
        return new Secret(bytes.clone());
    }

    /** A copy of the secret bytes. The caller should zero the copy when done. */
    public byte[] bytes() {
        if (destroyed) {
            throw new IllegalStateException("secret already destroyed");
        }
        return bytes.clone();
    }

    /** The number of bytes. */
    public int length() {
        return bytes.length;
    }

    /** Overwrites the bytes with zeros; {@link #bytes()} fails afterwards. */
    @Override
    public void destroy() {
        Arrays.fill(bytes, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "<secret, " + bytes.length + " bytes>";
    }
}
