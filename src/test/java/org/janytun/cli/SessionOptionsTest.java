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
        assertArrayEquals(PEER, x.peers().getFirst().publicKey());
        assertEquals(0, x.peers().getFirst().mux());
        assertFalse(x.server());
        assertTrue(x.postQuantum());
        assertEquals(AeadAlgorithm.AES_256_GCM, x.suite());
        assertTrue(x.peers().getFirst().psk().isEmpty());
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
        assertArrayEquals(PEER, x.peers().getFirst().psk().orElseThrow().bytes());
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
        assertTrue(fail("--private-key", key, "--peer-public-key", peer, "-m", "65535").startsWith(
                "janytun: -m/--mux: 65535 carries"));
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

    @Test
    void aPeersFileMakesAServerOfManyPeers() throws Exception {
        String other = Base64.getEncoder().encodeToString(PRIVATE);
        String peers = write("peers", "# two clients\n\npublic-key=" + peer + " mux=1 routes=10.1.0.0/24,fd00:1::/64"
                + " psk-file=" + psk + "\n  public-key=" + other + "   mux=2\n");
        TunnelSettings s = ok("--private-key", key, "--peers", peers, "-X", "127.0.0.1");
        SessionSettings x = s.session().orElseThrow();
        assertTrue(x.server());
        assertEquals(peers, x.peersFile().orElseThrow());
        assertEquals(2, x.peers().size());
        assertEquals(1, x.peers().get(0).mux());
        assertEquals("[10.1.0.0/24, fd00:1::/64]", x.peers().get(0).routes().toString());
        assertArrayEquals(PEER, x.peers().get(0).psk().orElseThrow().bytes());
        assertEquals(2, x.peers().get(1).mux());
        assertTrue(x.peers().get(1).psk().isEmpty());
        assertTrue(ok("--private-key", key, "--peers", write("empty", "")).session().orElseThrow().peers().isEmpty());
    }

    @Test
    void aBadPeersFileNamesItsLine() throws Exception {
        String other = Base64.getEncoder().encodeToString(PRIVATE);
        String[][] cases = {
            {"public-key=" + peer, "line 1: a peer needs public-key= and mux="},
            {"public-key=" + peer + " mux=1\npublic-key=" + peer + " mux=2", "line 2: public key"},
            {"public-key=" + peer + " mux=1\n#\npublic-key=" + other + " mux=1", "line 3: mux 1 is on an earlier"},
            {"public-key=AAAA mux=1", "line 1: public-key: not a public key"},
            {"public-key=" + peer + " mux=65535", "line 1: mux: '65535' is not a number from 0 to 65534"},
            {"public-key=" + peer + " mux=1 routes=10.0.0.0/33", "line 1: routes: '10.0.0.0/33'"},
            {"public-key=" + peer + " mux=1 remote=1.2.3.4:5", "line 1: 'remote=1.2.3.4:5': expected"},
            {"public-key=" + peer + " mux=1 mux=2", "line 1: mux= given twice"},
            {"public-key=" + peer + " mux=1 psk-file=" + dir.resolve("none"), "no such file"},
        };
        for (String[] c : cases) {
            String file = write("peers", c[0] + "\n");
            String line = fail("--private-key", key, "--peers", file);
            assertTrue(line.startsWith("janytun: --peers: ") && line.contains(c[1]), c[0] + " -> " + line);
        }
        String file = write("peers", "public-key=" + peer + " mux=1\n");
        assertTrue(fail("--private-key", key, "--peers", file, "--peer-public-key", peer)
                .startsWith("janytun: --peer-public-key: cannot be combined with --peers"));
        assertTrue(fail("--private-key", key, "--peers", file, "--psk-file", psk)
                .startsWith("janytun: --psk-file: cannot be combined with --peers"));
        assertTrue(fail("--private-key", key, "--peers", dir.resolve("none").toString())
                .startsWith("janytun: --peers: cannot read"));
        assertTrue(fail("--private-key", dir.resolve("none.key").toString(), "--peers", file)
                .startsWith("janytun: --private-key: cannot read"), "the key before the peers, as on a tunnel");
        assertTrue(fail("--private-key", key, "--peers", file, "-M", "127.0.0.1:2000").contains("-M/--sync-hosts"));
    }
}
