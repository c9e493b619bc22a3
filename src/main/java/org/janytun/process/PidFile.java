package org.janytun.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;

/**
 * {@code -P file}: the daemon's process id, written once it runs and removed on a clean exit. After {@code -C} the
 * file is found again through the chroot when it lies inside it; after a privilege drop the directory may no
 * longer let us remove it, which is then logged.
 */
public final class PidFile {
    private Path path;

    private PidFile(Path path) {
        this.path = path;
    }

    public static PidFile write(String file) throws IOException {
        Path p = Path.of(file).toAbsolutePath().normalize();
        try {
            Files.writeString(p, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException("-P/--write-pid: cannot write " + p + ": " + e.getMessage(), e);
        }
        return new PidFile(p);
    }

    /** Call with the (pre-chroot) directory just before entering it: the file's name as seen from inside. */
    public void enteringChroot(Path root) throws IOException {
        Path r = root.toRealPath();
        Path real = path.getParent().toRealPath().resolve(path.getFileName());
        path = real.startsWith(r) ? Path.of("/").resolve(r.relativize(real)) : null;
    }

    public void remove(Logger log) {
        if (path == null) {
            log.info("pid file is outside the chroot and stays in place");
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("could not remove pid file {}: {}", path, e.getMessage());
        }
    }
}
