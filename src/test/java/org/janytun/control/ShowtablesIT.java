package org.janytun.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.janytun.cli.ShowtablesMain;
import org.janytun.sync.SyncSamples;
import org.junit.jupiter.api.Test;

/** janytun-showtables against Debian's anytun-showtables, on every sample stream. */
class ShowtablesIT {
    private static final Duration BOUND = Duration.ofSeconds(10);

    /** The reference's stdout without its error lines (which we print on stderr, or not at all at the end). */
    private static String reference(byte[] input) {
        Tools.Result r = Tools.run(BOUND, input, List.of(Tools.reference("anytun-showtables")));
        assertFalse(r.timedOut(), "anytun-showtables hung");
        return r.out().lines().filter(l -> !l.startsWith("uncaught exception, exiting: "))
                .map(l -> l + "\n").collect(Collectors.joining());
    }

    private static Tools.Result ours(byte[] input, String... args) {
        return Tools.inProcess((out, err) -> ShowtablesMain.run(args, new ByteArrayInputStream(input), out, err));
    }

    @Test
    void sameLinesAsAnytunShowtables() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(SyncSamples.dir())) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".raw")).forEach(names::add);
        }
        for (String v : List.of("v1-canonical", "v2-libver17", "v4-newline-sep", "v5-classversion1", "v6-libver4",
                "v7-unknown-cmd", "v8-ipv6-variants", "lpm-A-long-first", "lpm-B-short-first")) {
            names.add("interop/" + v + ".bin");
        }
        int compared = 0;
        for (String n : names) {
            byte[] in = SyncSamples.bytes(n);
            Tools.Result ours = ours(in);
            assertEquals(0, ours.exitCode(), n + ": " + ours.stderr());
            assertEquals(reference(in), ours.out(), n);
            compared++;
        }
        // tables as anytun-config writes them: the reference needs the newlines removed, we take both forms
        for (String n : List.of("examples-server-conf.d-controld-table.txt", "scenarioB-controld-table.txt",
                "scenarioB-controld-table2.txt", "config-manpage-example.txt", "config-passphrase-v4v6.txt",
                "config-aes256-window-remote.txt", "config-nullkd-v6remote-default-routes.txt")) {
            String expected = reference(SyncSamples.withoutNewlines(n));
            assertEquals(expected, ours(SyncSamples.withoutNewlines(n)).out(), n);
            assertEquals(expected, ours(SyncSamples.bytes(n)).out(), n + " with newlines");
            compared++;
        }
        assertTrue(compared >= 25);
        // and the showtables outputs captured in the lab
        assertEquals(Files.readString(SyncSamples.file("examples-server-conf.d-controld-table.showtables.txt")),
                ours(SyncSamples.bytes("examples-server-conf.d-controld-table.txt")).out());
        assertEquals(reference(SyncSamples.bytes("scenarioB-s1-syncport-dump.raw")),
                Files.readString(SyncSamples.file("scenarioB-s1-syncport-dump.showtables.txt")).lines()
                        .filter(l -> !l.startsWith("uncaught")).map(l -> l + "\n").collect(Collectors.joining()));
    }

    /** A reload push of janytun-controld: anytun's parser skips the table markers and reads the frames between. */
    @Test
    void referenceSkipsTableMarkers() {
        org.janytun.sync.SyncCodec codec = new org.janytun.sync.SyncCodec();
        java.io.ByteArrayOutputStream push = new java.io.ByteArrayOutputStream();
        push.writeBytes(codec.encodeFrame(new org.janytun.sync.TableMarker(true, 7)));
        push.writeBytes(SyncSamples.bytes("scenarioB-controld-wire.raw"));
        push.writeBytes(codec.encodeFrame(new org.janytun.sync.TableMarker(false, 7)));
        String expected = reference(SyncSamples.bytes("scenarioB-controld-wire.raw"));
        assertEquals(6, expected.lines().count());
        assertEquals(expected, reference(push.toByteArray()));
        assertEquals(expected, ours(push.toByteArray()).out());
    }

    /** Where the reference hangs, crashes, refuses or half-applies: we print the good frames and report the rest. */
    @Test
    void badFramesAreReportedOnStderr() {
        Tools.Result v9 = ours(SyncSamples.bytes("interop/v9-hostname-remote.bin"));
        assertEquals(1, v9.exitCode());
        assertEquals("Route: 192.168.77.0/24 -> 7\n", v9.out());
        assertTrue(v9.stderr().startsWith("janytun-showtables: frame 1: bad connection frame: remote host"
                + " 'localhost' is not an IP address"), v9.stderr());

        Tools.Result v11 = ours(SyncSamples.bytes("interop/v11-oversize-salt.bin"));
        assertEquals("Route: 192.168.77.0/24 -> 7\n", v11.out());
        assertEquals(2, v11.stderr().lines().count(), v11.stderr());

        Tools.Result v10 = ours(SyncSamples.bytes("interop/v10-prefix-hang.bin"));
        assertEquals(0, v10.exitCode());
        assertEquals("Route: 10.128.0.0/9 -> 7\nClient 7: 10.231.0.11:5555\n", v10.out());

        Tools.Result v3 = ours(SyncSamples.bytes("interop/v3-libver19.bin"));
        assertEquals("Client 7: 10.231.0.11:5555\nRoute: 192.168.77.0/24 -> 7\n", v3.out());

        Tools.Result garbage = ours("abcde xyz".getBytes());
        assertEquals(1, garbage.exitCode());
        assertEquals("", garbage.out());
        assertTrue(garbage.stderr().contains("bad length field 'abcde'"), garbage.stderr());

        Tools.Result truncated = ours("00075 22 serialization::archive 18 0 0 5 route".getBytes());
        assertEquals(1, truncated.exitCode());
        assertTrue(truncated.stderr().contains("truncated frame"), truncated.stderr());

        assertEquals(0, ours(new byte[0]).exitCode());
        assertEquals(2, ours(new byte[0], "extra").exitCode());
        assertEquals(2, ours(new byte[0], "-t", "3").exitCode());
        assertEquals(2, ours(new byte[0], "-c", "127.0.0.1:99999").exitCode());
    }
}
