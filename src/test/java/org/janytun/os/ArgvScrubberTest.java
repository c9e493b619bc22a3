package org.janytun.os;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgvScrubberTest {

    private static String scrub(String... argv) {
        byte[] image = (String.join("\0", argv) + "\0").getBytes(StandardCharsets.UTF_8);
        int before = image.length;
        ArgvScrubber.scrub(image, ArgvScrubber.ANYTUN_SECRETS);
        assertEquals(before, image.length);
        return new String(image, StandardCharsets.UTF_8).replace('\0', ' ').strip();
    }

    @Test
    void allOptionForms() {
        assertEquals("java -K ###### -r x", scrub("java", "-K", "secret", "-r", "x"));
        assertEquals("a --key=###### b", scrub("a", "--key=secret", "b"));
        assertEquals("a -K###### b", scrub("a", "-Ksecret", "b"));
        assertEquals("a -K=###### b", scrub("a", "-K=secret", "b"));
        assertEquals("a --salt #### -A#### -E ## --passphrase=####", scrub("a", "--salt", "salt", "-Asalt", "-E", "pw", "--passphrase=long"));
        assertEquals("a --passphrase ########", scrub("a", "--passphrase", "p w x yz"));
    }

    @Test
    void secretsBehindClusteredFlags() {
        assertEquals("a -DK ###### -r x", scrub("a", "-DK", "secret", "-r", "x"));
        assertEquals("a -D4E###### -r x", scrub("a", "-D4Esecret", "-r", "x"));
        // -d takes an argument: what follows is its value, not a cluster holding -K
        assertEquals("a -dKx -r x", scrub("a", "-dKx", "-r", "x"));
    }

    @Test
    void leavesOtherArgumentsAlone() {
        assertEquals("a --keys x --key ###", scrub("a", "--keys", "x", "--key", "abc"));
        assertEquals("a -k aes-ctr -e left", scrub("a", "-k", "aes-ctr", "-e", "left"));
        assertEquals("a -- -K secret", scrub("a", "--", "-K", "secret"));
        assertEquals("a -K", scrub("a", "-K")); // a value that never came
    }

    @Test
    void countsAndMultibyteValues() {
        byte[] image = "x\0-K\0s\u00e9cr\u00e9t\0--salt=\0".getBytes(StandardCharsets.UTF_8);
        assertEquals(1, ArgvScrubber.scrub(image, ArgvScrubber.ANYTUN_SECRETS)); // 8 bytes of UTF-8 become 8 #; the empty --salt= value does not count
        assertEquals("x -K ######## --salt= ", new String(image, StandardCharsets.UTF_8).replace('\0', ' '));
    }

    @Test
    void statParsingSurvivesAWeirdComm() throws Exception {
        StringBuilder stat = new StringBuilder("1234 (we ird) (x) 1 2) S");
        for (int field = 4; field <= 52; field++) {
            stat.append(' ').append(field == 48 ? 140000000000000L : field == 49 ? 140000000000100L : field);
        }
        assertArrayEquals(new long[] {140000000000000L, 140000000000100L}, ArgvScrubber.argRange(stat + "\n"));
        long[] own = ArgvScrubber.argRange(Files.readString(Path.of("/proc/self/stat")));
        assertTrue(own[0] > 0 && own[1] > own[0]);
    }

    @Test
    void childProcessCommandLineNoLongerShowsSecrets() throws Exception {
        List<String> args = List.of("-r", "192.0.2.1", "-K", "00112233445566778899aabbccddeeff", "--salt=0102030405060708090a0b0c0d0e",
                "-Emy-passphrase", "-o", "2323");
        try (ChildJvm child = ChildJvm.start(ScrubChild.class, args.toArray(String[]::new))) {
            String report = child.awaitLine("SCRUBBED ", Duration.ofSeconds(30));
            // the Java String[] keeps the values; only the process's visible command line changes
            assertEquals("3 " + String.join(",", args), report);
            String cmdline = Files.readString(Path.of("/proc/" + child.pid() + "/cmdline")).replace('\0', ' ');
            assertFalse(cmdline.contains("00112233445566778899aabbccddeeff"), cmdline);
            assertFalse(cmdline.contains("0102030405060708090a0b0c0d0e"), cmdline);
            assertFalse(cmdline.contains("my-passphrase"), cmdline);
            assertTrue(cmdline.contains(ScrubChild.class.getName() + " -r 192.0.2.1 -K " + "#".repeat(32)
                    + " --salt=" + "#".repeat(28) + " -E" + "#".repeat(13) + " -o 2323 "), cmdline);
            // what ps shows, too
            assertFalse(ProcessHandle.of(child.pid()).orElseThrow().info().commandLine().orElse("").contains("my-passphrase"));
        }
    }

    @Test
    void aTitleFillsTheArgvAreaWithNulsAndIsCutToFit() {
        org.junit.jupiter.api.Assertions.assertArrayEquals("janytun[tun0]\0\0\0".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII), ArgvScrubber.titleArea("janytun[tun0]", 16));
        org.junit.jupiter.api.Assertions.assertArrayEquals("jany\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                ArgvScrubber.titleArea("janytun[tun0]", 5));
    }
}
