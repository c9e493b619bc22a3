package org.janytun.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How janytun-ctl groups the lines of a show answer into a device, its upstream links and its connections. */
class CtlMainTest {
    @Test
    void upstreamLinksAndSenderIdsHaveTheirOwnPlaces() {
        Map<String, Object> d = CtlMain.structure(List.of("device=tun0", "route=10.0.0.0/8>1",
                "control-host=127.0.0.1:2323", "control-host-state=up", "control-host-since=12",
                "sync-peer=10.1.0.2:2424", "sync-peer-state=down", "sync-peer-since=3",
                "sync-peer-problem=Connection refused", "sync-clients=2",
                "mux=1", "sender-ids=0,7", "packets-in=4", "drop-bad-tag=2"));
        assertEquals("tun0", d.get("device"));
        assertEquals(2L, d.get("sync-clients"));
        assertEquals(List.of(
                Map.of("kind", "control-host", "target", "127.0.0.1:2323", "state", "up", "since", 12L),
                Map.of("kind", "sync-peer", "target", "10.1.0.2:2424", "state", "down", "since", 3L,
                        "problem", "Connection refused")), d.get("upstreams"));
        @SuppressWarnings("unchecked")
        Map<String, Object> c = ((List<Map<String, Object>>) d.get("connections")).getFirst();
        assertEquals("0,7", c.get("sender-ids"));
        assertEquals(Map.of("bad-tag", 2L), c.get("drops-by-reason"));
        assertEquals(List.of("10.0.0.0/8>1"), d.get("routes"));
    }

    /** psk-file= is read as the daemon reads --psk-file: a missing or malformed file is one usage line. */
    @Test
    void aPskFileIsReadAsTheDaemonReadsIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path bad = java.nio.file.Files.writeString(dir.resolve("bad.psk"), "not base64\n");
        for (String[] c : new String[][] {{dir.resolve("none").toString(), "psk-file: cannot read"},
            {bad.toString(), "psk-file: " + bad + ": not a key file"}}) {
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int rc = CtlMain.run(new String[] {"-s", dir.resolve("s.ctl").toString(), "add", "tun0",
                "public-key=AAAA", "mux=1", "psk-file=" + c[0]}, new java.io.PrintStream(
                    new java.io.ByteArrayOutputStream()), new java.io.PrintStream(err));
            org.junit.jupiter.api.Assertions.assertEquals(2, rc, err.toString());
            org.junit.jupiter.api.Assertions.assertTrue(err.toString().contains(c[1]), err.toString());
        }
    }
}
