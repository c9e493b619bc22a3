package org.janytun.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Shared set-up of the matrix tests: checks the prerequisites (failing, never skipping), creates one
 * {@link TestNet} for the whole class and removes it afterwards. Logs go to {@code target/it-logs/<class>/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TunnelMatrixSupport {
    protected TestNet net;
    protected CaseRunner runner;

    @BeforeAll
    void createNetwork() {
        Preflight.require();
        Path logs = ItEnv.logRoot().resolve(getClass().getSimpleName());
        deleteTree(logs);
        net = TestNet.create();
        runner = new CaseRunner(net, logs);
    }

    @AfterAll
    void removeNetwork() {
        if (net != null) {
            net.close();
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
