package org.janytun.noise;

/** A handshake message that does not authenticate or does not parse; says what failed, never a secret. */
public final class NoiseException extends Exception {
    public NoiseException(String message) {
        super(message);
    }

    public NoiseException(String message, Throwable cause) {
        super(message, cause);
    }
}
