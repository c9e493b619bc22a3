package org.janytun.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.janytun.config.Secret;
import org.janytun.config.RailSettings;
import org.janytun.config.TunnelSettings;
import org.janytun.address.AddressFamily;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.Role;
import org.janytun.wire.DeviceType;
import org.janytun.log.LogLevel;
import org.janytun.log.LogTarget;
import org.janytun.log.SyslogFacility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JanytunOptionsTest {
    static final String KEY128 = "00112233445566778899aabbccddeeff";
    static final String KEY192 = KEY128 + "0123456789abcdef";
    static final String KEY256 = KEY128 + KEY128;
    static final String SALT = "0102030405060708090a0b0c0d0e";

    static TunnelSettings ok(String... args) {
        Parsed p = JanytunOptions.parse("janytun", args);
        if (p instanceof Parsed.Failure f) {
            throw new AssertionError("unexpected failure: " + f.line());
        }
        return assertInstanceOf(Parsed.Run.class, p).settings();
    }

    static String fail(String... args) {
        Parsed.Failure f = assertInstanceOf(Parsed.Failure.class, JanytunOptions.parse("janytun", args));
        assertEquals(2, f.exitStatus());
        assertFalse(f.line().contains("\n"), "one line: " + f.line());
        assertTrue(f.line().startsWith("janytun: "), f.line());
        return f.line();
    }

    @Test
    void defaults() {
        TunnelSettings s = ok();
        assertTrue(s.daemonize());
        assertEquals(Optional.empty(), s.username());
        assertEquals(Optional.empty(), s.groupname());
        assertEquals(Optional.empty(), s.chroot());
        assertEquals(Optional.empty(), s.pidFile());
        assertEquals(List.of(new LogTarget.Syslog(LogLevel.NOTICE, "janytun", SyslogFacility.DAEMON)),
                s.logTargets());
        assertEquals(Optional.empty(), s.localAddress());
        assertEquals(4444, s.localPort());
        assertEquals(Optional.empty(), s.remoteHost());
        assertEquals(4444, s.remotePort());
        assertEquals(AddressFamily.ANY, s.addressFamily());
        assertEquals(Optional.empty(), s.deviceName());
        assertEquals(DeviceType.TUN, s.deviceType());
        assertEquals(Optional.empty(), s.ifconfig());
        assertEquals(Optional.empty(), s.postUpScript());
        assertEquals(0, s.senderId());
        assertEquals(0, s.mux());
        assertEquals(0L, s.windowSize());
        assertEquals(128, s.kdPrfKeyBits());
        assertEquals(Role.LEFT, s.role());
        assertEquals(Optional.empty(), s.passphrase());
        assertEquals(Optional.empty(), s.masterKey());
        assertEquals(Optional.empty(), s.masterSalt());
        assertEquals(128, s.cipherKeyBits());
        assertEquals(AuthAlgorithm.SHA1, s.authAlgorithm());
        assertEquals(10, s.authTagLength());
        assertEquals(List.of(), s.warnings());
    }

    @Test
    void programNameIsTheDefaultSyslogIdentAndErrorPrefix() {
        Parsed.Run r = assertInstanceOf(Parsed.Run.class, JanytunOptions.parse("anytun", new String[0]));
        assertEquals("syslog:3,anytun,daemon", r.settings().logTargets().get(0).spec());
        Parsed.Failure f = assertInstanceOf(Parsed.Failure.class, JanytunOptions.parse("anytun", new String[] {"-z"}));
        assertEquals("anytun: -z: unknown option (see --help)", f.line());
    }

    /** short, long, value, what the settings should then hold. */
    static Stream<Arguments> valuedOptions() {
        return Stream.of(
                a("-u", "--username", "nobody", s -> s.username(), Optional.of("nobody")),
                a("-g", "--groupname", "nogroup", s -> s.groupname(), Optional.of("nogroup")),
                a("-C", "--chroot", "/var/run/janytun", s -> s.chroot(), Optional.of("/var/run/janytun")),
                a("-P", "--write-pid", "/run/j.pid", s -> s.pidFile(), Optional.of("/run/j.pid")),
                a("-L", "--log", "stderr:4", s -> s.logTargets(), List.of(new LogTarget.Stderr(LogLevel.INFO))),
                a("-i", "--interface", "192.0.2.1", s -> s.localAddress(), Optional.of("192.0.2.1")),
                a("-p", "--port", "1234", s -> s.localPort(), 1234),
                a("-s", "--sender-id", "65535", s -> s.senderId(), 65535),
                a("-r", "--remote-host", "peer.example.org", s -> s.remoteHost(), Optional.of("peer.example.org")),
                a("-o", "--remote-port", "65535", s -> s.remotePort(), 65535),
                a("-d", "--dev", "tap7", s -> s.deviceType(), DeviceType.TAP),
                a("-d", "--dev", "anytun0x12345678", s -> s.deviceName(), Optional.empty()), // too long: see fail
                a("-t", "--type", "tap", s -> s.deviceType(), DeviceType.TAP),
                a("-n", "--ifconfig", "192.168.123.1/30", s -> s.ifconfig().map(Object::toString),
                        Optional.of("192.168.123.1/30")),
                a("-x", "--post-up-script", "/etc/janytun/up.sh", s -> s.postUpScript(),
                        Optional.of("/etc/janytun/up.sh")),
                a("-m", "--mux", "4711", s -> s.mux(), 4711),
                a("-w", "--window-size", "16777216", s -> s.windowSize(), 16777216L),
                a("-k", "--kd-prf", "aes-ctr-256", s -> s.kdPrfKeyBits(), 256),
                a("-e", "--role", "bob", s -> s.role(), Role.RIGHT),
                a("-E", "--passphrase", "have_a_nice_day", s -> new String(s.passphrase().orElseThrow().bytes(),
                        StandardCharsets.UTF_8), "have_a_nice_day"),
                a("-K", "--key", KEY128, s -> HexFormat.of().formatHex(s.masterKey().orElseThrow().bytes()), KEY128),
                a("-A", "--salt", SALT, s -> HexFormat.of().formatHex(s.masterSalt().orElseThrow().bytes()), SALT),
                a("-c", "--cipher", "aes-ctr-192", s -> s.cipherKeyBits(), 192),
                a("-a", "--auth-algo", "null", s -> s.authAlgorithm(), AuthAlgorithm.NULL),
                a("-b", "--auth-tag-length", "4", s -> s.authTagLength(), 4))
                .filter(x -> !"anytun0x12345678".equals(x.get()[2]));
    }

    private static Arguments a(String shortName, String longName, String value,
            Function<TunnelSettings, Object> get, Object expected) {
        return Arguments.of(shortName, longName, value, get, expected);
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("valuedOptions")
    void everyValuedOptionInEveryForm(String shortName, String longName, String value,
            Function<TunnelSettings, Object> get, Object expected) {
        assertEquals(expected, get.apply(ok(shortName, value)), "short, separate");
        assertEquals(expected, get.apply(ok(shortName + value)), "short, attached");
        assertEquals(expected, get.apply(ok(longName, value)), "long, separate");
        assertEquals(expected, get.apply(ok(longName + "=" + value)), "long, with =");
        assertEquals(expected, get.apply(ok("-D" + shortName.substring(1), value)), "clustered after a flag");
    }

    @Test
    void flagsInEveryForm() {
        for (String f : List.of("-D", "--nodaemonize")) {
            assertFalse(ok(f).daemonize());
        }
        for (String f : List.of("-4", "--ipv4-only")) {
            assertEquals(AddressFamily.IPV4, ok(f).addressFamily());
        }
        for (String f : List.of("-6", "--ipv6-only")) {
            assertEquals(AddressFamily.IPV6, ok(f).addressFamily());
        }
        for (String f : List.of("-U", "--debug")) {
            TunnelSettings s = ok(f);
            assertFalse(s.daemonize());
            assertEquals(List.of(new LogTarget.Stdout(LogLevel.DEBUG)), s.logTargets());
        }
    }

    @Test
    void clusteredShortFlags() {
        TunnelSettings s = ok("-D4");
        assertFalse(s.daemonize());
        assertEquals(AddressFamily.IPV4, s.addressFamily());
        s = ok("-6Dp", "5555");
        assertEquals(AddressFamily.IPV6, s.addressFamily());
        assertEquals(5555, s.localPort());
        assertFalse(s.daemonize());
    }

    @Test
    void theLastOccurrenceWinsAndLogTargetsAccumulate() {
        TunnelSettings s = ok("-p", "1", "--port=2", "-L", "stdout:1", "-L", "file:2,/tmp/a.log", "-L", "file:3");
        assertEquals(2, s.localPort());
        assertEquals(List.of("stdout:1", "file:2,/tmp/a.log", "file:3,janytun.log"),
                s.logTargets().stream().map(LogTarget::spec).toList());
    }

    @Test
    void debugAddsStdoutAndImpliesForeground() {
        TunnelSettings s = ok("-U", "-L", "syslog:3,vpn,local3");
        assertFalse(s.daemonize());
        assertEquals(List.of("syslog:3,vpn,local3", "stdout:5"), s.logTargets().stream().map(LogTarget::spec).toList());
        s = ok("-L", "stdout:2", "-U", "-L", "file:1");
        assertEquals(List.of("stdout:5", "file:1,janytun.log"), s.logTargets().stream().map(LogTarget::spec).toList());
    }

    @Test
    void tagLength() {
        TunnelSettings s = ok("-b", "32");
        assertEquals(20, s.authTagLength());
        assertEquals(1, s.warnings().size());
        assertTrue(s.warnings().get(0).contains("-b/--auth-tag-length 32"), s.warnings().get(0));
        assertEquals(20, ok("-b", "20").authTagLength());
        assertEquals(List.of(), ok("-b", "20").warnings());
        assertEquals(0, ok("-b", "0").authTagLength());
        assertEquals(0, ok("-a", "null").authTagLength());
        assertEquals(0, ok("-a", "null", "-b", "16").authTagLength());
        assertEquals(20, ok("-b", "4294967295").authTagLength());
        TunnelSettings huge = ok("-w", "4294967295");
        assertEquals(16777216L, huge.windowSize(), "a window beyond 2^24 is clamped");
        assertEquals(1, huge.warnings().size());
    }

    @Test
    void algorithmAndRoleNames() {
        assertEquals(0, ok("-k", "null").kdPrfKeyBits());
        assertEquals(128, ok("-k", "aes-ctr").kdPrfKeyBits());
        assertEquals(128, ok("-k", "aes-ctr-128").kdPrfKeyBits());
        assertEquals(192, ok("-k", "AES-CTR-192").kdPrfKeyBits());
        assertEquals(0, ok("-c", "null").cipherKeyBits());
        assertEquals(256, ok("-c", "aes-ctr-256").cipherKeyBits());
        assertEquals(AuthAlgorithm.SHA1, ok("-a", "SHA1").authAlgorithm());
        for (String r : List.of("left", "alice", "server", "LEFT", "Server")) {
            assertEquals(Role.LEFT, ok("-e", r).role(), r);
        }
        for (String r : List.of("right", "bob", "client", "Right", "CLIENT")) {
            assertEquals(Role.RIGHT, ok("-e", r).role(), r);
        }
    }

    @Test
    void deviceType() {
        assertEquals(DeviceType.TUN, ok().deviceType());
        assertEquals(DeviceType.TAP, ok("-d", "tap0").deviceType());
        assertEquals(DeviceType.TUN, ok("-d", "tun9").deviceType());
        assertEquals(DeviceType.TAP, ok("-d", "vpn0", "-t", "tap").deviceType());
        assertEquals(DeviceType.TUN, ok("-d", "tap0", "-t", "tunnel").deviceType());
        assertTrue(fail("-d", "foo0").startsWith("janytun: -d/--dev: unable to recognize type of device (tun or tap)"));
        assertTrue(fail("-t", "ip").startsWith("janytun: -t/--type: unable to recognize type of device (tun or tap)"));
    }

    @Test
    void ifconfig() throws Exception {
        TunnelSettings.IfConfig c = ok("-n", "192.168.123.1/30").ifconfig().orElseThrow();
        assertEquals(InetAddress.getByName("192.168.123.1"), c.address());
        assertEquals(30, c.prefixLength());
        assertEquals("255.255.255.252", c.netmask());
        assertEquals("0.0.0.0", ok("-n", "10.0.0.1/0").ifconfig().orElseThrow().netmask());
        assertEquals("255.255.255.255", ok("-n", "10.0.0.1/32").ifconfig().orElseThrow().netmask());
        TunnelSettings.IfConfig v6 = ok("-n", "fd00::1/64").ifconfig().orElseThrow();
        assertEquals(InetAddress.getByName("fd00::1"), v6.address());
        assertEquals(64, v6.prefixLength());
        assertEquals(128, ok("-n", "::1/128").ifconfig().orElseThrow().prefixLength());
    }

    @Test
    void passphraseIsUtf8() {
        assertArrayEquals("pässword".getBytes(StandardCharsets.UTF_8),
                ok("-E", "pässword").passphrase().orElseThrow().bytes());
    }

    @Test
    void keyAndKdPrfSizes() {
        assertEquals(16, ok("-K", KEY128).masterKey().orElseThrow().length());
        assertEquals(24, ok("-K", KEY192, "-k", "aes-ctr-192").masterKey().orElseThrow().length());
        assertEquals(32, ok("-K", KEY256.toUpperCase(), "-k", "aes-ctr-256").masterKey().orElseThrow().length());
        assertEquals(32, ok("-K", KEY256, "-k", "null").masterKey().orElseThrow().length());
        // cipher and auth both null: the kd-prf is not used, so the key size does not matter.
        assertEquals(32, ok("-K", KEY256, "-c", "null", "-a", "null").masterKey().orElseThrow().length());
        String line = fail("-K", KEY128, "-k", "aes-ctr-256");
        assertTrue(line.startsWith("janytun: -K/--key: "), line);
        assertTrue(line.contains("-k/--kd-prf"), line);
        assertFalse(line.contains(KEY128), line);
        assertTrue(fail("-K", KEY256).contains("-k/--kd-prf aes-ctr-128"));
    }

    @Test
    void routesAndControlHost() {
        TunnelSettings s = ok("-X", "[fd00::1]:4445", "-R", "192.168.123.128/25", "--route", "10.128.0.0/9",
                "-R", "2001:db8::/33");
        assertEquals("[fd00::1]:4445", s.controlHost().orElseThrow().toString());
        assertEquals(List.of("192.168.123.128/25", "10.128.0.0/9", "2001:db8::/33"),
                s.routes().stream().map(Object::toString).toList());
        assertEquals(2323, ok("-X", "ctl.example").controlHost().orElseThrow().port());
        assertTrue(fail("-R", "127.0.0.1").startsWith("janytun: -R/--route: "));
        assertTrue(fail("-R", "10.0.0.0/33").startsWith("janytun: -R/--route: "));
        assertTrue(fail("-X", "host:0").startsWith("janytun: -X/--control-host: "));
    }

    @Test
    void ipv4AndIpv6OnlyConflict() {
        assertEquals("janytun: -4/--ipv4-only: cannot be combined with -6/--ipv6-only", fail("-4", "-6"));
        assertEquals("janytun: -4/--ipv4-only: cannot be combined with -6/--ipv6-only", fail("-64"));
    }

    @Test
    void clusterOptions() {
        TunnelSettings s = ok("-S", "2342", "-I", "10.0.0.1", "-M", "10.0.0.2,[fd00::3]:2400,node4:99",
                "--sync-archive-version", "17", "--sync-secret-file", "/etc/janytun/cluster.secret");
        assertEquals(java.util.OptionalInt.of(2342), s.sync().port());
        assertEquals(java.util.Optional.of("10.0.0.1"), s.sync().bindAddress());
        assertEquals(List.of(new org.janytun.address.HostPort("10.0.0.2", 2323),
                new org.janytun.address.HostPort("fd00::3", 2400), new org.janytun.address.HostPort("node4", 99)),
                s.sync().peers());
        assertEquals(17, s.sync().archiveVersion());
        assertEquals(java.util.Optional.of("/etc/janytun/cluster.secret"), s.sync().secretFile());
        assertTrue(s.sync().enabled());
        assertFalse(ok().sync().enabled());
        assertEquals(18, ok().sync().archiveVersion());
        assertTrue(ok("-I", "10.0.0.1").warnings().stream().anyMatch(w -> w.contains("-I/--sync-interface")));
    }

    @Test
    void badClusterOptionsNameTheOption() {
        assertTrue(fail("-S", "127.0.0.1").startsWith("janytun: -S/--sync-port: "));
        assertTrue(fail("-S", "0").startsWith("janytun: -S/--sync-port: "));
        assertTrue(fail("-M", "10.0.0.1,").startsWith("janytun: -M/--sync-hosts: "));
        assertTrue(fail("-M", "10.0.0.1:99999").startsWith("janytun: -M/--sync-hosts: "));
        assertTrue(fail("-M", "[fd00::1").startsWith("janytun: -M/--sync-hosts: "));
        assertTrue(fail("--sync-archive-version", "x").startsWith("janytun: --sync-archive-version: "));
        assertTrue(fail("--sync-archive-version", "0").startsWith("janytun: --sync-archive-version: "));
    }

    @Test
    void railNeedsAWindowAndSaneRanges() {
        String noWindow = "janytun: -w/--window-size: RAIL sends every packet on each link and needs the window to"
                + " remove the copies: give -w 64 or more (uanytun writes every copy to the device with -w 0)";
        assertEquals(noWindow, fail("-Y"));
        assertEquals(noWindow, fail("--rail-mode", "-w", "0"));
        assertEquals(noWindow, fail("-p", "1233:1235"), "a port range implies RAIL");
        assertEquals("janytun: -p/--port: the range 1235:1233 ends before it starts", fail("-p", "1235:1233", "-w", "64"));
        assertTrue(fail("-p", "1000:1100", "-w", "64").startsWith("janytun: -p/--port: the range 1000:1100 has more"));
        assertTrue(fail("-p", "1:x", "-w", "64").startsWith("janytun: -p/--port: "));
        assertTrue(fail("--rail-link", "10.0.0.1", "-w", "64").startsWith("janytun: --rail-link: "));
        assertTrue(fail("--rail-link", "10.0.0.1=10.0.0.2", "-p", "1:2", "-w", "64")
                .startsWith("janytun: --rail-link: cannot be combined with port ranges"));
        assertTrue(fail("--rail-spread", "-w", "64").startsWith("janytun: --rail-spread: needs RAIL links"));
        assertTrue(ok("-Y", "-p", "1:3", "-w", "64", "--rail-spread").rail().spread());
    }

    @Test
    void uanytunStyleRangesPairLocalAndRemotePortsInOrder() throws Exception {
        TunnelSettings s = ok("-w", "64", "-p", "1233:1235", "-r", "10.99.0.2", "-o", "4440:4441");
        List<RailSettings.Link> links = s.rail().links();
        assertEquals(3, links.size());
        assertEquals(new RailSettings.Link(Optional.empty(), 1233, Optional.of("10.99.0.2"), 4440), links.get(0));
        assertEquals(new RailSettings.Link(Optional.empty(), 1234, Optional.of("10.99.0.2"), 4441), links.get(1));
        assertEquals(0, links.get(2).remotePort(), "beyond the -o range: learned");
        assertFalse(ok("-w", "64").rail().enabled(), "no RAIL without -Y or a range");
        assertEquals(1, ok("-Y", "-w", "64").rail().links().size(), "-Y alone: one link, as uanytun");
    }

    @Test
    void railLinksHaveTheirOwnAddresses() throws Exception {
        TunnelSettings s = ok("-w", "64", "-p", "5000", "-o", "6000", "-r", "peer.example",
                "--rail-link", "10.1.0.1=10.2.0.1", "--rail-link", "[fd00::1]:5001=:6001", "--rail-link", "10.3.0.1=");
        List<RailSettings.Link> links = s.rail().links();
        assertEquals(new RailSettings.Link(Optional.of("10.1.0.1"), 5000, Optional.of("10.2.0.1"), 6000), links.get(0));
        assertEquals(new RailSettings.Link(Optional.of("fd00::1"), 5001, Optional.of("peer.example"), 6001), links.get(1));
        assertEquals(new RailSettings.Link(Optional.of("10.3.0.1"), 5000, Optional.empty(), 0), links.get(2));
    }

    /** Bad values: args, and the option the one-line error must name. */
    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(List.of("-p", "0"), "-p/--port"),
                Arguments.of(List.of("-p", "65536"), "-p/--port"),
                Arguments.of(List.of("-p", "http"), "-p/--port"),
                Arguments.of(List.of("-p", "-1"), "-p/--port"),
                Arguments.of(List.of("-p", "+1"), "-p/--port"),
                Arguments.of(List.of("-p", "99999999999999999999"), "-p/--port"),
                Arguments.of(List.of("-o", "0"), "-o/--remote-port"),
                Arguments.of(List.of("-s", "65536"), "-s/--sender-id"),
                Arguments.of(List.of("-s", "-1"), "-s/--sender-id"),
                Arguments.of(List.of("-m", "65536"), "-m/--mux"),
                Arguments.of(List.of("-m", "0x10"), "-m/--mux"),
                Arguments.of(List.of("-w", "4294967296"), "-w/--window-size"),
                Arguments.of(List.of("-w", "-5"), "-w/--window-size"),
                Arguments.of(List.of("-b", "ten"), "-b/--auth-tag-length"),
                Arguments.of(List.of("-b", "-1"), "-b/--auth-tag-length"),
                Arguments.of(List.of("-k", "aes-cbc"), "-k/--kd-prf"),
                Arguments.of(List.of("-c", "aes-ctr-512"), "-c/--cipher"),
                Arguments.of(List.of("-a", "md5"), "-a/--auth-algo"),
                Arguments.of(List.of("-e", "middle"), "-e/--role"),
                Arguments.of(List.of("-n", "192.168.1.1"), "-n/--ifconfig"),
                Arguments.of(List.of("-n", "192.168.1.1/33"), "-n/--ifconfig"),
                Arguments.of(List.of("-n", "192.168.1/24"), "-n/--ifconfig"),
                Arguments.of(List.of("-n", "192.168.1.256/24"), "-n/--ifconfig"),
                Arguments.of(List.of("-n", "192.168.01.1/24"), "-n/--ifconfig"),
                Arguments.of(List.of("-n", "host.example/24"), "-n/--ifconfig"),
                Arguments.of(List.of("-n", "fd00::1/129"), "-n/--ifconfig"),
                Arguments.of(List.of("-n", "fd00::g/64"), "-n/--ifconfig"),
                Arguments.of(List.of("-n", "10.0.0.1/"), "-n/--ifconfig"),
                Arguments.of(List.of("-d", "averyveryverylongname"), "-d/--dev"),
                Arguments.of(List.of("-d", "tun/0"), "-d/--dev"),
                Arguments.of(List.of("-r", ""), "-r/--remote-host"),
                Arguments.of(List.of("-r", "-D"), "-r/--remote-host"),
                Arguments.of(List.of("-u", "-x"), "-u/--username"),
                Arguments.of(List.of("-L", "syslog:3", "-L", "syslog:4"), "-L/--log"),
                Arguments.of(List.of("-L", "nowhere:3"), "-L/--log"),
                Arguments.of(List.of("-L", "-U"), "-L/--log"),
                Arguments.of(List.of("-r"), "-r/--remote-host"),
                Arguments.of(List.of("--port"), "-p/--port"),
                Arguments.of(List.of("--nodaemonize=yes"), "-D/--nodaemonize"),
                Arguments.of(List.of("-z"), "-z"),
                Arguments.of(List.of("-Dz"), "-z"),
                Arguments.of(List.of("--frobnicate"), "--frobnicate"),
                Arguments.of(List.of("--frobnicate=3"), "--frobnicate"),
                Arguments.of(List.of("--nodaemon"), "--nodaemon"),
                Arguments.of(List.of("stray"), "command line"),
                Arguments.of(List.of("--", "-D"), "command line"),
                Arguments.of(List.of("--config", "/nonexistent/janytun.conf"), "--config"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesGiveOneLineNamingTheOption(List<String> args, String option) {
        String line = fail(args.toArray(String[]::new));
        assertTrue(line.startsWith("janytun: " + option + ": "), line);
    }

    /** Secret options: args, the secret that must not appear, the option named. */
    static Stream<Arguments> badSecrets() {
        String oddKey = "0123456789abcdef0123456789abcde";
        String nonHexKey = "0123456789abcdef0123456789abcdeZ";
        return Stream.of(
                Arguments.of(List.of("-K", oddKey), oddKey, "-K/--key"),
                Arguments.of(List.of("--key=" + nonHexKey), nonHexKey, "-K/--key"),
                Arguments.of(List.of("-K", "00"), "00", "-K/--key"),
                Arguments.of(List.of("-K", KEY128 + "0"), KEY128, "-K/--key"),
                Arguments.of(List.of("-K", "s3cr3tpassw0rdthatisthirtytwo!!!"), "s3cr3t", "-K/--key"),
                Arguments.of(List.of("-K", KEY192, "-k", "aes-ctr-128"), KEY192, "-K/--key"),
                Arguments.of(List.of("-A", "0102030405060708090a0b0c0d"), "0102030405060708090a0b0c0d", "-A/--salt"),
                Arguments.of(List.of("-A", "0102030405060708090a0b0c0dxx"), "0102030405060708090a0b0c0d", "-A/--salt"),
                Arguments.of(List.of("-A", "-0102030405060708090a0b0c0dx"), "0102030405060708090a0b0c0d", "-A/--salt"),
                Arguments.of(List.of("-E", ""), "", "-E/--passphrase"),
                Arguments.of(List.of("-E", "-my-secret-phrase"), "my-secret-phrase", "-E/--passphrase"),
                Arguments.of(List.of("-E", "my secret", "phrase"), "phrase", "command line"),
                Arguments.of(List.of("--kye=topsecretvalue"), "topsecretvalue", "--kye"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("badSecrets")
    void errorsNeverEchoSecrets(List<String> args, String secret, String option) {
        String line = fail(args.toArray(String[]::new));
        assertTrue(line.startsWith("janytun: " + option + ": "), line);
        if (!secret.isEmpty()) {
            assertFalse(line.contains(secret), line);
        }
    }

    @Test
    void keyLengthMessage() {
        assertEquals("janytun: -K/--key: must be 32, 48 or 64 hex digits (got 31 characters)",
                fail("-K", "0123456789abcdef0123456789abcde"));
        assertEquals("janytun: -K/--key: must be 32, 48 or 64 hex digits (got 2 characters)", fail("-K", "00"));
        assertEquals("janytun: -A/--salt: must be exactly 28 hex digits (character 28 is not a hex digit)",
                fail("-A", "0102030405060708090a0b0c0d0g"));
    }

    @Test
    void toStringRedactsSecrets() {
        TunnelSettings s = ok("-E", "my_passphrase", "-K", KEY128, "-A", SALT);
        String text = s.toString();
        assertFalse(text.contains("my_passphrase"), text);
        assertFalse(text.contains(KEY128), text);
        assertFalse(text.contains(SALT), text);
        assertFalse(text.contains("0011"), text);
        assertTrue(text.contains("masterKey=<secret, 16 bytes>"), text);
        assertTrue(text.contains("masterSalt=<secret, 14 bytes>"), text);
    }

    @Test
    void secretsAreCopiesAndCanBeDestroyed() {
        TunnelSettings s = ok("-K", KEY128);
        Secret k = s.masterKey().orElseThrow();
        byte[] copy = k.bytes();
        copy[0] = 42;
        assertEquals(0, k.bytes()[0]);
        k.destroy();
        assertTrue(k.isDestroyed());
    }

    @Test
    void help() {
        Parsed.Help h = assertInstanceOf(Parsed.Help.class, JanytunOptions.parse("janytun", new String[] {"--help"}));
        assertInstanceOf(Parsed.Help.class, JanytunOptions.parse("janytun", new String[] {"-h"}));
        // help wins over bad values, which are only checked for a run
        assertInstanceOf(Parsed.Help.class, JanytunOptions.parse("janytun", new String[] {"-K", "00", "-h"}));
        String text = h.text();
        assertTrue(text.startsWith("Usage: janytun"), text);
        for (String name : JanytunOptions.optionNames()) {
            String[] parts = name.split("/");
            String shown = parts.length == 2 ? parts[0] + ", " + parts[1] : parts[0];
            assertTrue(text.contains(shown) || text.contains(name), "help mentions " + name);
        }
        assertTrue(text.contains("default: 4444"));
        assertTrue(text.contains("syslog:3,janytun,daemon"));
        for (String line : text.split("\n")) {
            assertTrue(line.length() <= 110, "line too long: " + line);
        }
    }

    @Test
    void version() {
        Parsed.VersionInfo v = assertInstanceOf(Parsed.VersionInfo.class,
                JanytunOptions.parse("janytun", new String[] {"--version"}));
        assertInstanceOf(Parsed.VersionInfo.class, JanytunOptions.parse("janytun", new String[] {"-v"}));
        assertTrue(v.text().startsWith("janytun " + Version.get() + "\n"), v.text());
        assertTrue(v.text().contains("anytun 0.3.8") && v.text().contains("uanytun 0.3.7"), v.text());
    }

    @Test
    void configFileOptionsComeFirst(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("config");
        Files.writeString(conf, """
                # a Debian-style config
                remote-host 10.0.0.1
                port 4445
                nodaemonize
                log file:4,%s
                passphrase "a phrase # with spaces"
                role client
                """.formatted(dir.resolve("j.log")));
        TunnelSettings s = ok("--config", conf.toString(), "--port", "5000", "-L", "stdout:2");
        assertEquals(Optional.of("10.0.0.1"), s.remoteHost());
        assertEquals(5000, s.localPort());
        assertFalse(s.daemonize());
        assertEquals(Role.RIGHT, s.role());
        assertEquals("a phrase # with spaces", new String(s.passphrase().orElseThrow().bytes(), StandardCharsets.UTF_8));
        assertEquals(List.of("stdout:2"), s.logTargets().stream().map(LogTarget::spec).toList(),
                "-L on the command line replaces the file's log targets");
        assertEquals(List.of("file:4," + dir.resolve("j.log")),
                ok("--config", conf.toString()).logTargets().stream().map(LogTarget::spec).toList());
        assertEquals(Optional.of("10.0.0.1"), ok("--config=" + conf).remoteHost());
    }

    @Test
    void configFileErrorsNameFileAndLine(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("config");
        Files.writeString(conf, "remote-host 10.0.0.1\n\n# ok so far\nkey-file /etc/secret\n");
        assertEquals("janytun: " + conf + ":4: unknown option 'key-file'", fail("--config", conf.toString()));
        Files.writeString(conf, "key 00112233\n");
        // a value that is checked later names the option, not the line, and is still not echoed
        String line = fail("--config", conf.toString());
        assertTrue(line.startsWith("janytun: -K/--key: "), line);
        assertFalse(line.contains("00112233"), line);
    }

    @Test
    void operatorOptions() {
        TunnelSettings d = ok();
        assertEquals(java.nio.file.Path.of("/var/lib/janytun/tun0"), d.operator().stateDirFor("tun0", Optional.empty()));
        assertEquals(java.nio.file.Path.of("/run/janytun/tun0.ctl"), d.operator().controlSocketFor("tun0",
                Optional.empty()));
        // in a named network namespace, a tunnel of the same device name elsewhere is another tunnel
        assertEquals(java.nio.file.Path.of("/var/lib/janytun/netns/blue/tun0"), d.operator().stateDirFor("tun0",
                Optional.of("blue")));
        assertEquals(java.nio.file.Path.of("/run/janytun/netns/blue/tun0.ctl"), d.operator().controlSocketFor("tun0",
                Optional.of("blue")));
        assertTrue(d.operator().metrics().isEmpty());
        assertFalse(d.operator().allowSeqWrap());
        TunnelSettings s = ok("--state-dir", "/srv/j", "--control-socket", "/run/x.ctl", "--metrics", "9100",
                "--allow-seq-wrap");
        assertEquals(java.nio.file.Path.of("/srv/j"), s.operator().stateDirFor("tun0", Optional.of("blue")));
        assertEquals(java.nio.file.Path.of("/run/x.ctl"), s.operator().controlSocketFor("tun0", Optional.of("blue")));
        assertEquals(new org.janytun.address.HostPort("127.0.0.1", 9100), s.operator().metrics().get());
        assertTrue(s.operator().allowSeqWrap());
        assertEquals(new org.janytun.address.HostPort("::1", 9100), ok("--metrics", "[::1]:9100").operator().metrics()
                .get());
        assertEquals("janytun: --state-dir: needs an absolute path (the daemon changes its directory)",
                fail("--state-dir", "rel"));
        assertTrue(fail("--metrics", "0").startsWith("janytun: --metrics: "));
        assertTrue(fail("--metrics", "host:99999").startsWith("janytun: --metrics: "));
        assertTrue(fail("--control-socket", "/" + "x".repeat(120)).startsWith("janytun: --control-socket: "));
        assertEquals(1400, d.operator().mtu());
        assertEquals(65536, d.operator().capacity());
        assertEquals(1000, ok("--capacity", "1000").operator().capacity());
        assertEquals("janytun: --capacity: must be a number of connections from 1 to 65536 (a mux is 16 bits)",
                fail("--capacity", "65537"));
        assertTrue(fail("--capacity", "0").startsWith("janytun: --capacity: "));
        assertTrue(fail("--capacity", "many").startsWith("janytun: --capacity: "));
        assertEquals(1500, ok("-n", "10.0.0.1/30", "--mtu", "1500").operator().mtu());
        assertEquals(1580, ok("-n", "10.0.0.1/30", "--mtu", "1580").operator().mtu());
        assertTrue(fail("-n", "10.0.0.1/30", "--mtu", "1581").contains("from 68 to 1580"));
        assertTrue(fail("-t", "tap", "-n", "10.0.0.1/30", "--mtu", "1580").contains("from 68 to 1566"));
        assertTrue(fail("-n", "fd00::1/64", "--mtu", "1000").contains("from 1280 to"));
        assertEquals(0, d.operator().keepaliveSeconds());
        assertEquals(25, ok("--keepalive", "25").operator().keepaliveSeconds());
        assertEquals("janytun: --keepalive: must be a number of seconds from 0 (none) to 3600",
                fail("--keepalive", "3601"));
        assertTrue(fail("--keepalive", "-1").startsWith("janytun: --keepalive: "));
        assertTrue(ok("--mtu", "1300").warnings().contains(
                "--mtu is ignored without -n/--ifconfig (janytun sets the MTU when it configures the device)"));
    }

    @Test
    void optionNamesCoverTheSpec() {
        List<String> expected = new ArrayList<>(List.of("-h/--help", "-v/--version", "--config", "-D/--nodaemonize",
                "-u/--username", "-g/--groupname", "-C/--chroot", "-P/--write-pid", "-L/--log", "-U/--debug",
                "-i/--interface", "-p/--port", "-s/--sender-id", "-r/--remote-host", "-o/--remote-port",
                "-4/--ipv4-only", "-6/--ipv6-only", "-d/--dev", "-t/--type", "-n/--ifconfig", "-x/--post-up-script",
                "-m/--mux", "-w/--window-size", "-k/--kd-prf", "-e/--role", "-E/--passphrase", "-K/--key",
                "-A/--salt", "-c/--cipher", "-a/--auth-algo", "-b/--auth-tag-length", "-I/--sync-interface",
                "-S/--sync-port", "-M/--sync-hosts", "--sync-archive-version", "--sync-secret-file",
                "-X/--control-host", "-R/--route", "-Y/--rail-mode", "--rail-link", "--rail-spread", "--state-dir",
                "--allow-seq-wrap", "--control-socket", "--metrics", "--mtu", "--private-key", "--peer-public-key",
                "--psk-file", "--peers", "--suite", "--no-pq", "--rekey-after", "--keepalive",
                "--capacity"));
        assertEquals(expected.stream().sorted().toList(), JanytunOptions.optionNames().stream().sorted().toList());
    }

    /** Defect 7: a host with two colons that is no IPv6 address is a usage error, not a peer retried for ever. */
    @Test
    void malformedHostsWithColonsAreUsageErrors() {
        assertTrue(fail("-M", "bad::host").startsWith("janytun: -M/--sync-hosts: "), "names the option");
        assertTrue(fail("-M", "10.0.0.1:2323,bad::host").contains("IPv6"));
        assertTrue(fail("-X", "bad::host").startsWith("janytun: -X/--control-host: "));
        assertEquals("fd00::1", ok("-M", "fd00::1").sync().peers().getFirst().host());
        assertEquals("fd00::1", ok("-M", "[fd00::1]:2000").sync().peers().getFirst().host());
    }

    /** Found by JanytunOptionsFuzzTest: a value with a line break was echoed into the error, making two lines. */
    @Test
    void valuesWithControlCharactersStayOnOneLine() {
        assertTrue(fail("-n", "1.020.0.25\n/24").startsWith("janytun: -n/--ifconfig: "));
        fail("-d", "tun\u001b[2J0", "-t", "bogus\n");
    }
}
