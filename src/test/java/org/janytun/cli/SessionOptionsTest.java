package org.janytun.cli;

import static org.janytun.cli.JanytunOptionsTest.fail;
import static org.janytun.cli.JanytunOptionsTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.janytun.config.SessionSettings;
import org.janytun.config.TunnelSettings;
import org.janytun.crypto.AeadAlgorithm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SATP-session options: key files read and checked, the legacy key options excluded with one line. */
class SessionOptionsTest {
    private static final byte[] PRIVATE = new byte[32];
    private static final byte[] PEER = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            PRIVATE[i] = (byte) (i + 1);
            PEER[i] = (byte) (100 + i);
        }
    }

    @TempDir
    Path dir;
    private String key;
    private String psk;
    private final String peer = Base64.getEncoder().encodeToString(PEER);

    @BeforeEach
    void files() throws Exception {
        key = write("private.key", Base64.getEncoder().encodeToString(PRIVATE) + "\n");
        psk = write("peer.psk", Base64.getEncoder().encodeToString(PEER) + "\n");
    }

    private String write(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p.toString();
    }

    @Test
    void threeOptionsMakeASession() {
        TunnelSettings s = ok("--private-key", key, "--peer-public-key", peer);
        SessionSettings x = s.session().orElseThrow();
        assertArrayEquals(PRIVATE, x.privateKey().bytes());
        assertArrayEquals(PEER, x.peerPublicKey());
        assertTrue(x.postQuantum());
        assertEquals(AeadAlgorithm.AES_256_GCM, x.suite());
        assertTrue(x.psk().isEmpty());
        assertEquals(16, s.authTagLength());
        assertEquals(120, x.rekeyAfterSeconds());
        assertFalse(s.toString().contains(Base64.getEncoder().encodeToString(PRIVATE)));
        assertTrue(s.warnings().isEmpty(), s.warnings().toString());
    }

    @Test
    void suitePskNoPqAndRekey() {
        SessionSettings x = ok("--private-key", key, "--peer-public-key", peer, "--psk-file", psk, "--suite",
                "ChaCha20-Poly1305", "--no-pq", "--rekey-after", "5").session().orElseThrow();
        assertEquals(AeadAlgorithm.CHACHA20_POLY1305, x.suite());
        assertFalse(x.postQuantum());
        assertArrayEquals(PEER, x.psk().orElseThrow().bytes());
        assertEquals(5, x.rekeyAfterSeconds());
        assertEquals(7, x.rejectAfterSeconds());
    }

    @Test
    void withoutSessionOptionsThereIsNoSession() {
        assertTrue(ok().session().isEmpty());
    }

    @Test
    void legacyKeysAreExcludedWithOneLine() {
        assertEquals("janytun: --private-key: cannot be combined with -K/--key: SATP sessions negotiate their keys;"
                + " -E/-K/-A/-k/-c/-a/-b are for static-key SATP with anytun and uanytun",
                fail("--private-key", key, "--peer-public-key", peer, "-K", "0123456789abcdef0123456789abcdef"));
        assertTrue(fail("--suite", "aes-256-gcm", "-E", "secret").contains("cannot be combined with -E/--passphrase"));
        assertTrue(fail("--private-key", key, "--peer-public-key", peer, "-c", "null").contains("-c/--cipher"));
        assertTrue(fail("--private-key", key, "--peer-public-key", peer, "-X", "127.0.0.1").contains("-X"));
    }

    @Test
    void badKeysAndValuesNameTheirOption() throws Exception {
        assertTrue(fail("--peer-public-key", peer).startsWith("janytun: --private-key: is needed"));
        assertTrue(fail("--private-key", key).startsWith("janytun: --peer-public-key: is needed"));
        assertTrue(fail("--private-key", key, "--peer-public-key", "AAAA").startsWith(
                "janytun: --peer-public-key: not a public key"));
        assertTrue(fail("--private-key", dir.resolve("none").toString(), "--peer-public-key", peer)
                .endsWith("no such file"));
        String bad = write("bad.key", "not base64 at all\n");
        assertTrue(fail("--private-key", bad, "--peer-public-key", peer).contains("not a key file"));
        assertTrue(fail("--private-key", key, "--peer-public-key", peer, "--suite", "aes-128-ctr")
                .startsWith("janytun: --suite: 'aes-128-ctr': expected"));
        assertTrue(fail("--private-key", key, "--peer-public-key", peer, "--rekey-after", "1")
                .startsWith("janytun: --rekey-after:"));
    }

    @Test
    void aKeyFileOthersCanReadIsWarnedAbout() throws Exception {
        Files.setPosixFilePermissions(Path.of(key), PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(ok("--private-key", key, "--peer-public-key", peer).warnings().stream()
                .anyMatch(w -> w.contains("readable by others")));
    }
}
