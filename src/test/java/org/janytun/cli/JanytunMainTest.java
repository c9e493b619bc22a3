package org.janytun.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.janytun.config.SuiteFromSettings;
import org.janytun.config.TunnelSettings;
import org.janytun.crypto.SuiteException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up checks that must fail before anything is opened, and the core's typed suite errors named by option. Each case names {@code -d lo}: had janytun got as far
 * as opening the device, that would fail with status 1 (lo is no tun device), so status 2 with the right line shows
 * that the check came first, and nothing is created on the machine either way.
 */
class JanytunMainTest {
    private static final String[] TUNNEL = {"-D", "-t", "tun", "-d", "lo", "-K", JanytunOptionsTest.KEY128, "-A",
            JanytunOptionsTest.SALT, "-L", "stderr:0"};

    private record Outcome(int status, String stderr) {}

    private static Outcome run(String... extra) {
        String[] args = new String[TUNNEL.length + extra.length];
        System.arraycopy(TUNNEL, 0, args, 0, TUNNEL.length);
        System.arraycopy(extra, 0, args, TUNNEL.length, extra.length);
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = JanytunMain.run(args);
            // only janytun's own lines: a JVM shared with other tests may print its own notes to stderr
            String ours = err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("janytun: "))
                    .map(l -> l + "\n").reduce("", String::concat);
            return new Outcome(status, ours);
        } finally {
            System.setErr(saved);
        }
    }

    /** Defect 5: a missing secret file is one line with the reason, exit 2, before the device is opened. */
    @Test
    void missingSyncSecretFileIsAUsageErrorWithAReason(@TempDir Path dir) {
        Path missing = dir.resolve("nonexistent");
        Outcome o = run("-S", "23999", "--sync-secret-file", missing.toString());
        assertEquals(2, o.status(), o.stderr());
        assertEquals("janytun: --sync-secret-file: " + missing + ": no such file\n", o.stderr());
    }

    @Test
    void tooShortSyncSecretFileIsAUsageError(@TempDir Path dir) throws Exception {
        Path shortSecret = Files.writeString(dir.resolve("short"), "abc\n");
        Outcome o = run("-M", "127.0.0.1:1", "--sync-secret-file", shortSecret.toString());
        assertEquals(2, o.status(), o.stderr());
        assertTrue(o.stderr().startsWith("janytun: --sync-secret-file: " + shortSecret + " holds 3 bytes"), o.stderr());
    }

    /** Defect 6: a log file whose directory is missing stops start-up (exit 2) and creates no directory. */
    @Test
    void logFileInAMissingDirectoryStopsStartUp(@TempDir Path dir) {
        Path missingDir = dir.resolve("missing").resolve("dir");
        Outcome o = run("-L", "file:4," + missingDir.resolve("x.log"));
        assertEquals(2, o.status(), o.stderr());
        assertTrue(o.stderr().startsWith("janytun: -L/--log: cannot log to file:4," + missingDir.resolve("x.log")),
                o.stderr());
        assertTrue(o.stderr().contains("no such directory"), o.stderr());
        assertFalse(Files.exists(dir.resolve("missing")), "no directory created");
    }

    @Test
    void everySuiteInputHasItsOption() {
        assertEquals("-K/--key", JanytunMain.optionOf(SuiteException.Input.MASTER_KEY));
        assertEquals("-A/--salt", JanytunMain.optionOf(SuiteException.Input.MASTER_SALT));
        assertEquals("-b/--auth-tag-length", JanytunMain.optionOf(SuiteException.Input.AUTH_TAG_LENGTH));
    }

    @Test
    void aMissingKeyIsBlamedOnTheKeyOption() {
        TunnelSettings s = assertInstanceOf(Parsed.Run.class, JanytunOptions.parse("janytun",
                new String[] {"-r", "127.0.0.1", "-A", "0102030405060708090a0b0c0d0e"})).settings();
        SuiteException e = assertThrows(SuiteException.class, () -> SuiteFromSettings.build(s));
        assertEquals("-K/--key", JanytunMain.optionOf(e.input()));
    }
}
