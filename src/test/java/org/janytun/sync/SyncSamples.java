package org.janytun.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The captures of the real anytun tools in {@code ../shared/satp/sync-samples} (beside the vectors folder). A missing
 * folder fails the tests that use it: it never skips them.
 */
public final class SyncSamples {
    private SyncSamples() {}

    public static Path dir() {
        Path vectors = Path.of(System.getProperty("satp.vectors", "../shared/satp/vectors"));
        Path dir = vectors.toAbsolutePath().getParent().resolve("sync-samples");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("sync sample folder missing: " + dir
                    + " (expected ../shared/satp/sync-samples beside the checkout)");
        }
        return dir;
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }

    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A table written by anytun-config (one frame a line) as the wire carries it: without the newlines. */
    public static byte[] withoutNewlines(String name) {
        return new String(bytes(name), java.nio.charset.StandardCharsets.ISO_8859_1).replace("\n", "")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
