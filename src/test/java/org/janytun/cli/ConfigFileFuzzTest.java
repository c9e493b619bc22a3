package org.janytun.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link ConfigFile} (a Debian {@code /etc/anytun/<name>/config}) with janytun's real
 * option table. Invariants: only a {@link UsageException}, one line, naming the file and line and never echoing a
 * value (the file may hold keys); what parses is a list of known long options each followed by a value when it takes
 * one, which the command-line parser then takes without an exception.
 */
class ConfigFileFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> args;
        try {
            args = ConfigFile.parse("fuzz.conf", text, JanytunOptions::argumentKind);
        } catch (UsageException e) {
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            return;
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            assertTrue(a.startsWith("--"), "an option: " + a);
            if (JanytunOptions.argumentKind(a.substring(2)) == ConfigFile.ArgumentKind.REQUIRED) {
                i++; // its value
            }
        }
        JanytunOptionsFuzzTest.parsesCleanly(args.toArray(String[]::new));
    }
}
