package org.janytun.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.janytun.cli.ConfigMain;
import org.junit.jupiter.api.Test;

/**
 * janytun-config against Debian's anytun-config: for the same arguments, stdout is the same bytes. Where
 * anytun-config hangs (route prefixes such as /25 and /9) we give what its format gives.
 */
class ConfigToolIT {
    private static final Duration BOUND = Duration.ofSeconds(10);

    private static Tools.Result reference(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Tools.reference("anytun-config")));
        cmd.addAll(List.of(args));
        Tools.Result r = Tools.run(BOUND, null, cmd);
        assertFalse(r.timedOut(), "anytun-config hung: " + List.of(args));
        assertEquals(0, r.exitCode(), "anytun-config " + List.of(args) + ": " + r.stderr());
        return r;
    }

    private static Tools.Result ours(String... args) {
        return Tools.inProcess((out, err) -> ConfigMain.run(args, out, err));
    }

    private static final String PASS = "Creating_VPN_Tunnels_With_Anytun_Is_Easy";

    static final String[][] SAME_OUTPUT = {
        // the man page example
        {"-w", "0", "-m", "12", "-K", "0123456789ABCDEFFEDCBA9876543210", "-A", "0123456789ABCDDCBA9876543210",
            "-R", "192.0.2.0/24", "-R", "192.168.1.1/32", "-e", "server"},
        // passphrase, v4 + v6 routes
        {"-m", "1", "-e", "server", "-E", PASS, "-R", "192.168.123.1/32", "-R", "fec0::1/128"},
        // aes-ctr-256, window, remote host and port, role client
        {"-m", "7", "-e", "client", "-w", "64", "-k", "aes-ctr-256", "-E", "secret_phrase", "-r", "127.0.0.5",
            "-o", "4455", "-R", "10.7.0.0/16"},
        // null kd, IPv6 remote, default routes
        {"-m", "65535", "-k", "null", "-r", "::1", "-o", "1", "-R", "0.0.0.0/0", "-R", "::/0"},
        // null kd ignores key material
        {"-k", "null", "-K", "00112233445566778899aabbccddeeff", "-A", "0102030405060708090a0b0c0d0e", "-E", "x"},
        // aes-ctr-192, /33 on IPv6
        {"-m", "3", "-k", "aes-ctr-192", "-E", "x", "-R", "2001:db8::/33"},
        // key from -K, salt from -E; salt from -A, key from -E
        {"-E", "x", "-K", "00112233445566778899aabbccddeeff"},
        {"-E", "x", "-A", "0102030405060708090a0b0c0d0e", "-e", "bob"},
        {"-E", "x", "-K", "00112233445566778899AABBCCDDEEFF", "-A", "0102030405060708090A0B0C0D0E", "-e", "right"},
        {"-k", "aes-ctr-128", "-e", "alice", "-E", "with spaces and ümlauts"},
        {"-k", "aes-ctr-256", "-K", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
            "-A", "0102030405060708090a0b0c0d0e"},
        {"-k", "aes-ctr", "-e", "left", "-E", "x"},
        // -6 without -r, -4 without -r
        {"-6", "-E", "x"},
        {"-4", "-E", "x", "-m", "0"},
        // IPv6 forms of remote and routes, unmasked route, mapped addresses, scope
        {"-E", "x", "-r", "::ffff:1.2.3.4", "-R", "::FFFF:1.2.3.4/96", "-R", "FEC0:0::1/128", "-R", "10.0.0.1/8"},
        {"-E", "x", "-r", "FE80::1%lo", "-o", "0"},
        {"-E", "x", "-r", "2001:DB8:0:0:1:0:0:1", "-6", "-R", "2001:db8:0:0:1::/80"},
        {"-E", "x", "-4", "-r", "192.0.2.33", "-o", "65535", "-w", "65535"},
        // (anytun-config keeps the last of an option given twice; janytun-config makes each -m a record and
        // refuses an option given twice for one record: ConfigMainRecordsTest)
        // long options
        {"--mux", "5", "--role", "client", "--passphrase", "abc", "--kd-prf", "aes-ctr-256", "--window-size", "100",
            "--remote-host", "10.1.2.3", "--remote-port", "9", "--route", "10.0.0.0/8", "--route", "fd00::/8"},
        {"-E", "x", "-R", "0.0.0.0/32", "-R", "255.255.255.255/32", "-R", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"},
    };

    @Test
    void sameBytesAsAnytunConfig() {
        for (String[] args : SAME_OUTPUT) {
            Tools.Result ref = reference(args);
            Tools.Result ours = ours(args);
            assertEquals(0, ours.exitCode(), List.of(args) + ": " + ours.stderr());
            assertEquals(ref.out(), ours.out(), List.of(args).toString());
            assertEquals("", ours.stderr(), List.of(args).toString());
        }
    }

    /** The launcher, with a name as remote host: resolved the way anytun-config resolves it. */
    @Test
    void launcherAndNames() {
        for (String[] args : new String[][] {
            {"-m", "4", "-E", PASS, "-r", "localhost", "-R", "192.168.123.4/32"},
            {"-m", "4", "-E", PASS, "-r", "localhost", "-4"},
        }) {
            Tools.Result ref = reference(args);
            List<String> cmd = new ArrayList<>(List.of(Tools.launcher("janytun-config")));
            cmd.addAll(List.of(args));
            Tools.Result ours = Tools.run(Duration.ofSeconds(30), null, cmd);
            assertEquals(0, ours.exitCode(), ours.stderr());
            assertEquals(ref.out(), ours.out(), List.of(args).toString());
        }
    }

    /**
     * anytun-config hangs on prefixes whose partial byte is all ones (SYNC.md §4.2); we give the line its format
     * gives: the one for the same address with a byte-aligned length, with the length replaced.
     */
    @Test
    void prefixesThatHangTheReference() {
        String[][] cases = {
            // route, byte-aligned stand-in with the same number of digits
            {"192.168.123.128/25", "192.168.123.128/24"},
            {"10.128.0.0/9", "10.128.0.0/8"},
            {"10.240.0.0/12", "10.240.0.0/16"},
            {"128.0.0.0/1", "128.0.0.0/8"},
            {"2001:db8:ffff::/47", "2001:db8:ffff::/48"},
        };
        for (String[] c : cases) {
            String len = c[0].substring(c[0].indexOf('/') + 1);
            String standIn = c[1].substring(c[1].indexOf('/') + 1);
            Tools.Result ref = reference("-m", "3", "-k", "aes-ctr-192", "-E", "x", "-R", c[1]);
            String expected = ref.out().replace(" route 0 0 0 0 " + standIn + " 0 0 ", " route 0 0 0 0 " + len + " 0 0 ");
            if (len.length() != standIn.length()) {
                // the frame length field grows with the prefix length's digits
                String[] lines = expected.split("\n");
                String body = lines[1].substring(6);
                lines[1] = String.format("%05d ", body.length()) + body;
                expected = String.join("\n", lines) + "\n";
            }
            Tools.Result ours = ours("-m", "3", "-k", "aes-ctr-192", "-E", "x", "-R", c[0]);
            assertEquals(expected, ours.out(), c[0]);
        }
        // the sample the reference hung on: its connection line, then our routes
        Tools.Result ours = ours("-m", "3", "-k", "aes-ctr-192", "-E", "x", "-R", "10.128.0.0/9", "-R", "2001:db8::/33");
        String[] lines = ours.out().split("\n");
        assertEquals(3, lines.length);
        assertEquals(reference("-m", "3", "-k", "aes-ctr-192", "-E", "x").out(), lines[0] + "\n");
        assertEquals("00072 22 serialization::archive 18 0 0 5 route 0 0 0 0 9 0 0 0 10 10.128.0.0 3", lines[1]);
        assertEquals("00073 22 serialization::archive 18 0 0 5 route 0 0 0 0 33 0 0 1 10 2001:db8:: 3", lines[2]);
    }

    /** Input anytun-config turns into garbage frames or endless retries: one error line, exit 2, nothing on stdout. */
    @Test
    void badInputIsRefused() {
        String[][] cases = {
            {"-E", "x", "-K", "0011", "-k", "aes-ctr"},
            {"-K", "00112233445566778899aabbccddeeff", "-k", "aes-ctr-256", "-A", "0102030405060708090a0b0c0d0e"},
            {"-K", "0g112233445566778899aabbccddeeff", "-E", "x"},
            {"-A", "0102", "-E", "x"},
            {"-m", "1"},
            {"-m", "70000", "-E", "x"},
            {"-m", "abc", "-E", "x"},
            {"-w", "4294967296", "-E", "x"},
            {"-o", "70000", "-E", "x"},
            {"-o", "http", "-E", "x"},
            {"-R", "10.0.0.0", "-E", "x"},
            {"-R", "10.0.0.0/40", "-E", "x"},
            {"-R", "10.0.0.0/-1", "-E", "x"},
            {"-m", "1", "-m", "2", "-E", "x", "-r", "127.0.0.1", "-r", "127.0.0.2"}, // anytun-config drops one -r
            {"-R", "foo/8", "-E", "x"},
            {"-R", "010.1.1.1/32", "-E", "x"},
            {"-R", "fe80::1%lo/128", "-E", "x"},
            {"-r", "127.0.0.1", "-6", "-E", "x"},
            {"-r", "::1", "-4", "-E", "x"},
            {"-r", "010.1.1.1", "-E", "x"},
            {"-4", "-6", "-E", "x"},
            {"-e", "foo", "-E", "x"},
            {"-k", "foo", "-E", "x"},
            {"-x"},
            {"foo"},
            {"-L", "foo", "-E", "x"},
            {"-E"},
        };
        for (String[] args : cases) {
            Tools.Result ours = ours(args);
            assertEquals(2, ours.exitCode(), List.of(args) + " -> " + ours.stderr());
            assertEquals("", ours.out(), List.of(args).toString());
            assertTrue(ours.stderr().startsWith("janytun-config: ") && ours.stderr().strip().lines().count() == 1,
                    List.of(args) + " -> " + ours.stderr());
        }
        Tools.Result secret = ours("-K", "0g112233445566778899aabbccddeeff", "-E", "x");
        assertFalse(secret.stderr().contains("0g11"), secret.stderr());
        Tools.Result unresolvable = ours("-E", "x", "-r", "no-such-host.invalid");
        assertEquals(1, unresolvable.exitCode());
        assertEquals("", unresolvable.out());
    }
}
