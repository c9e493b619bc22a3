package org.janytun.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code -P file}: the daemon's process id, written once it runs and removed on a clean exit where permitted. */
final class PidFile {
    private final Path path;

    private PidFile(Path path) {
        this.path = path;
    }

    static PidFile write(String file) throws IOException {
        Path p = Path.of(file).toAbsolutePath();
        Files.writeString(p, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        return new PidFile(p);
    }

    /** Removes the file; after a privilege drop the directory may no longer allow it, which is then said. */
    void remove(org.slf4j.Logger log) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("could not remove pid file {}: {}", path, e.getMessage());
        }
    }
}
