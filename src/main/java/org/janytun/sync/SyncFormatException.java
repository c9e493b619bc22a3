package org.janytun.sync;

import java.io.IOException;

/**
 * A sync frame that cannot be used: a bad length field, an oversize or truncated frame, or an archive that does not
 * hold a valid record. The message says why, never quotes secret bytes, and fits on one line.
 */
public final class SyncFormatException extends IOException {
    private final boolean recoverable;

    public SyncFormatException(String message, boolean recoverable) {
        super(message);
        this.recoverable = recoverable;
    }

    /** A problem with one frame's content: the frame has been consumed and the stream stays usable. */
    public static SyncFormatException badFrame(String message) {
        return new SyncFormatException(message, true);
    }

    /**
     * Whether the reader is still in step with the stream, so that the next frame can be read: true when the frame
     * had a valid length and only its content was bad (the caller may skip it), false when the framing is lost or
     * the stream ended inside a frame.
     */
    public boolean recoverable() {
        return recoverable;
    }
}
