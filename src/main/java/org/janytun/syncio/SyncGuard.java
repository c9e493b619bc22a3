package org.janytun.syncio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * What protects a sync or control connection. Data flows one way, from the listener to the connector (SYNC.md
 * §1.1): the listener {@linkplain #admit admits} a connector before it sends anything, and the connector
 * {@linkplain #open opens} the stream it reads frames from.
 */
public interface SyncGuard {
    /**
     * Listener side, before anything is sent.
     *
     * @return the stream to write frames to
     * @throws IOException when the peer is not admitted (it gets nothing) or the connection fails
     */
    OutputStream admit(Socket socket) throws IOException;

    /**
     * Connector side.
     *
     * @return the stream to read frames from
     * @throws IOException when the listener does not prove itself or the connection fails
     */
    InputStream open(Socket socket) throws IOException;

    /** Whether strangers are kept out (and keys kept secret). */
    boolean isProtected();

    /** anytun's sync protocol as it is: no authentication, no encryption. Needed with real anytun nodes. */
    SyncGuard PLAIN = new SyncGuard() {
        @Override
        public OutputStream admit(Socket socket) throws IOException {
            return socket.getOutputStream();
        }

        @Override
        public InputStream open(Socket socket) throws IOException {
            return socket.getInputStream();
        }

        @Override
        public boolean isProtected() {
            return false;
        }

        @Override
        public String toString() {
            return "plain (anytun-compatible, unauthenticated)";
        }
    };
}
