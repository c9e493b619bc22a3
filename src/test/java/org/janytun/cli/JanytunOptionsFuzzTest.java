package org.janytun.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of janytun's command-line parser ({@link JanytunOptions#parse}); the input is split at
 * NUL bytes into arguments. Invariants: parse never throws; a failure is one line starting with the program name,
 * with status 2 (usage); {@code --config} is left out (it reads files, fuzzed in {@link ConfigFileFuzzTest}).
 */
class JanytunOptionsFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] bytes) {
        String[] args = new String(bytes, StandardCharsets.UTF_8).split("\0", -1);
        for (String a : args) {
            if (a.startsWith("--con") || a.startsWith("-h") || a.startsWith("--h")) {
                return; // files and help text are not this target's business
            }
        }
        parsesCleanly(args);
    }

    static void parsesCleanly(String[] args) {
        Parsed p = JanytunOptions.parse("janytun", args);
        if (p instanceof Parsed.Failure f) {
            assertEquals(2, f.exitStatus(), f.line());
            assertFalse(f.line().contains("\n"), "one line: " + f.line());
            assertTrue(f.line().startsWith("janytun: "), f.line());
        }
    }
}
