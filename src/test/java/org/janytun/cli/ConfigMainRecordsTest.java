package org.janytun.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** janytun-config writing many records in one call: -m groups, --batch, and no silently dropped option. */
class ConfigMainRecordsTest {
    private record Out(int status, String out, String err) {}

    private static Out run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ConfigMain.run(args, new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Out(status, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void eachMuxStartsARecordAndTheCommonOptionsApplyToAll() {
        Out many = run("-e", "server", "-w", "64", "-m", "1", "-E", "one", "-R", "10.20.0.1/32",
                "-m", "2", "-E", "two", "-R", "10.20.0.2/32", "-R", "10.20.2.0/24");
        assertEquals(0, many.status(), many.err());
        String one = run("-m", "1", "-e", "server", "-w", "64", "-E", "one", "-R", "10.20.0.1/32").out();
        String two = run("-m", "2", "-e", "server", "-w", "64", "-E", "two", "-R", "10.20.0.2/32",
                "-R", "10.20.2.0/24").out();
        assertEquals(one + two, many.out(), "the same bytes as one call per record");
    }

    @Test
    void anOptionGivenTwiceForOneRecordIsAnError() {
        Out o = run("-m", "1", "-E", "x", "-E", "y");
        assertEquals(2, o.status());
        assertTrue(o.err().startsWith("janytun-config: -E/--passphrase: given twice for one record"), o.err());
        assertEquals("", o.out());
        Out common = run("-E", "x", "--passphrase", "y", "-m", "1");
        assertEquals(2, common.status(), "also before the first -m, and whatever name it goes by");
        Out perRecord = run("-E", "common", "-m", "1", "-m", "2", "-E", "own");
        assertEquals(0, perRecord.status(), "a record may override a common option: " + perRecord.err());
    }

    @Test
    void aBatchFileAddsARecordPerLine(@TempDir Path tmp) throws Exception {
        List<String> lines = new ArrayList<>(List.of("# clients", ""));
        StringBuilder expected = new StringBuilder();
        for (int m = 1; m <= 300; m++) {
            lines.add("-m " + m + " -E secret" + m + " -R 10.21." + (m >> 8) + "." + (m & 255) + "/32");
            expected.append(run("-e", "server", "-m", Integer.toString(m), "-E", "secret" + m,
                    "-R", "10.21." + (m >> 8) + "." + (m & 255) + "/32").out());
        }
        Path batch = tmp.resolve("clients.txt");
        Files.write(batch, lines);
        Out o = run("-e", "server", "--batch", batch.toString());
        assertEquals(0, o.status(), o.err());
        assertEquals(expected.toString(), o.out());
        Out bad = run("--batch", tmp.resolve("missing").toString());
        assertEquals(2, bad.status());
        assertTrue(bad.err().startsWith("janytun-config: --batch: cannot read"), bad.err());
    }
}
