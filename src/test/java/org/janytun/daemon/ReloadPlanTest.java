package org.janytun.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.janytun.cli.JanytunOptions;
import org.janytun.cli.Parsed;
import org.janytun.config.SuiteFromSettings;
import org.janytun.config.TunnelSettings;
import org.janytun.crypto.CryptoSuite;
import org.junit.jupiter.api.Test;

/** What a reload applies at once and what it leaves for a restart. */
class ReloadPlanTest {
    private static final String[] BASE = {"-K", "00112233445566778899aabbccddeeff", "-A",
            "0102030405060708090a0b0c0d0e", "-r", "192.0.2.1", "-p", "4444", "-d", "tun9", "-w", "64"};

    private static TunnelSettings settings(String... more) {
        List<String> args = new ArrayList<>(List.of(BASE));
        args.addAll(List.of(more));
        return assertInstanceOf(Parsed.Run.class, JanytunOptions.parse(args.toArray(String[]::new))).settings();
    }

    private static ReloadPlan plan(TunnelSettings next, boolean server) {
        TunnelSettings now = settings();
        CryptoSuite suite = SuiteFromSettings.build(now);
        return ReloadPlan.between(now, now, suite, next, SuiteFromSettings.build(next), server, false);
    }

    @Test
    void theSameConfigurationChangesNothing() {
        ReloadPlan p = plan(settings(), false);
        assertEquals("nothing", p.applied());
        assertEquals(List.of(), p.needRestart());
    }

    @Test
    void keyRemoteRoutesAndKeepaliveApplyAtOnce() {
        ReloadPlan p = plan(settings("-K", "ffeeddccbbaa99887766554433221100", "-r", "192.0.2.9", "-R",
                "10.1.0.0/16", "--keepalive", "25"), false);
        assertEquals("key,remote,routes,keepalive", p.applied());
        assertEquals(List.of(), p.needRestart());
        TunnelSettings one = settings("-E", "one"); // -K and -A win over -E (SPEC 4.1): only the salt comes from it
        TunnelSettings two = assertInstanceOf(Parsed.Run.class, JanytunOptions.parse(new String[] {"-E", "two",
                "-r", "192.0.2.1", "-d", "tun9", "-w", "64"})).settings();
        assertTrue(ReloadPlan.between(one, one, SuiteFromSettings.build(one), two, SuiteFromSettings.build(two), false,
                false).key(), "a passphrase instead of -K/-A is a new key");
        assertTrue(plan(settings("-o", "5555"), false).remote());
        assertTrue(plan(settings("-c", "aes-ctr-256", "-k", "aes-ctr-256", "-K",
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"), false).key());
    }

    @Test
    void whatWasOpenedAtStartWaitsForARestart() {
        ReloadPlan p = plan(settings("-p", "5555", "-w", "128", "-n", "10.9.0.1/24", "--mtu", "1300", "-e", "right"),
                false);
        assertEquals("nothing", p.applied());
        assertEquals(List.of("-p/--port", "-n/--ifconfig", "-w/--window-size", "-e/--role", "--mtu"),
                p.needRestart());
    }

    @Test
    void aServersSharedAlgorithmsWaitForARestartButItsKeyDoesNot() {
        ReloadPlan algorithms = plan(settings("-b", "16"), true);
        assertFalse(algorithms.key());
        assertEquals(List.of("-c/-a/-b (shared by every connection of a server)"), algorithms.needRestart());
        assertTrue(plan(settings("-b", "16"), false).key(), "a point-to-point tunnel takes a new tag length");
        assertTrue(plan(settings("-K", "ffeeddccbbaa99887766554433221100"), true).key());
    }
}
