package org.janytun.syncio;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the protected-sync handshake ({@code --sync-secret-file}) from both sides: what a
 * connector sends to the listener ({@code admit}) and what a listener answers a connector ({@code open}). The seeds
 * are well-formed greetings. Invariant: every input ends in an {@link IOException} with a reason; none is admitted
 * or opened (the proof binds a fresh random nonce, so no fixed input can hold it) and nothing else is thrown.
 */
class ClusterSecretFuzzTest {
    private static final ClusterSecret GUARD = ClusterSecret.of(
            "a cluster secret of enough bytes".getBytes(StandardCharsets.US_ASCII));

    @FuzzTest(maxDuration = "30s")
    void admit(byte[] fromConnector) {
        IOException e = assertThrows(IOException.class,
                () -> GUARD.admit(new ByteArrayInputStream(fromConnector), new ByteArrayOutputStream()));
        SyncServer.describe(e); // a reason for the log line, whatever the exception
    }

    @FuzzTest(maxDuration = "30s")
    void open(byte[] fromListener) {
        assertThrows(IOException.class,
                () -> GUARD.open(new ByteArrayInputStream(fromListener), new ByteArrayOutputStream()));
    }
}
