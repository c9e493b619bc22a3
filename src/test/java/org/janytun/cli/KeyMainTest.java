package org.janytun.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@code janytun-key}: the three commands, the RFC 7748 known answer, and errors that never echo a secret. */
class KeyMainTest {
    /** What one run printed and returned. */
    record Result(int status, String out, String err) {}

    static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KeyMain.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new SecureRandom());
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String b64(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }

    @Test
    void pubkeyGivesTheRfc7748PublicKey() {
        // RFC 7748 §6.1, Alice
        Result r = run(b64("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a") + "\n", "pubkey");
        assertEquals(0, r.status(), r.err());
        assertEquals(b64("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a") + "\n", r.out());
    }

    @Test
    void genkeyPrintsAClampedKeyThatPubkeyReads() {
        Result a = run("", "genkey");
        Result b = run("", "genkey");
        assertEquals(0, a.status());
        assertTrue(a.out().matches("[A-Za-z0-9+/]{43}=\n"), a.out());
        assertNotEquals(a.out(), b.out());
        byte[] k = Base64.getDecoder().decode(a.out().strip());
        assertEquals(0, k[0] & 7);
        assertEquals(0x40, k[31] & 0xC0);
        Result pub = run(a.out(), "pubkey");
        assertEquals(0, pub.status());
        assertTrue(pub.out().matches("[A-Za-z0-9+/]{43}=\n"), pub.out());
        assertArrayEquals(org.janytun.noise.X25519.fromPrivate(k).publicKey(),
                Base64.getDecoder().decode(pub.out().strip()));
    }

    @Test
    void genpskPrints32RandomBytes() {
        Result a = run("", "genpsk");
        assertEquals(0, a.status());
        assertEquals(32, Base64.getDecoder().decode(a.out().strip()).length);
        assertNotEquals(a.out(), run("", "genpsk").out());
    }

    @Test
    void badInputIsOneLineWithoutTheSecret() {
        String secretish = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"; // 43 characters, not a key
        Result r = run(secretish, "pubkey");
        assertEquals(1, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("stdin"), r.err());
        assertFalse(r.err().contains(secretish), r.err());
        assertEquals("", r.out());
        assertEquals(1, run("", "pubkey").status());
        assertEquals(1, run("x".repeat(10_000), "pubkey").status());
        // 33 bytes of base64 is not a key either
        assertEquals(1, run(Base64.getEncoder().encodeToString(new byte[33]), "pubkey").status());
    }

    @Test
    void usageErrorsNameTheProblemAndExit2() {
        Result none = run("");
        assertEquals(2, none.status());
        assertTrue(none.err().contains("genkey, pubkey or genpsk"), none.err());
        assertEquals(2, run("", "gen").status());
        assertEquals(2, run("", "genkey", "extra").status());
        Result unknown = run("", "--frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("--frobnicate"), unknown.err());
        Result help = run("", "-h");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("umask 077"), help.out());
    }
}
