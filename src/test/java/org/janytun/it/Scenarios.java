package org.janytun.it;

import java.util.List;

import static org.janytun.it.Scenario.Feature.DEFAULT_PORTS;
import static org.janytun.it.Scenario.Feature.DEFAULT_ROLE_LEFT;
import static org.janytun.it.Scenario.Feature.INNER_V6;
import static org.janytun.it.Scenario.Feature.NO_TCP;
import static org.janytun.it.Scenario.Feature.OUTER_V6;
import static org.janytun.it.Scenario.Feature.REPLAY_REDIRECTS;
import static org.janytun.it.Scenario.Feature.REPLAY_REJECTED;
import static org.janytun.it.Scenario.Feature.RIGHT_LEARNS_REMOTE;
import static org.janytun.it.Scenario.Feature.TAP;
import static org.janytun.it.Scenario.Feature.UDP_BURSTS;

/**
 * The catalogue of tunnel configurations (the one place that describes the interop cases). To add a case, add a
 * {@link Scenario} to {@link #INTEROP}; every pairing in {@link Matrix} then runs it.
 */
public final class Scenarios {
    private Scenarios() {}

    public static final String KEY128 = "00112233445566778899aabbccddeeff";
    public static final String KEY192 = "00112233445566778899aabbccddeeff0123456789abcdef";
    public static final String KEY256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    public static final String SALT = "0102030405060708090a0b0c0d0e";
    public static final String PASSPHRASE = "have_a_very_safe_and_productive_day";

    public static final Scenario DEFAULTS = Scenario.named("defaults",
                    "-K/-A only: aes-ctr, kd-prf aes-ctr, sha1/10, -w 0, ports 4444, default role on the left")
            .both(s -> s.key(KEY128).salt(SALT)).with(DEFAULT_PORTS, DEFAULT_ROLE_LEFT, UDP_BURSTS).build();

    public static final Scenario PASSPHRASE_KEYS = Scenario.named("passphrase", "-E passphrase instead of -K/-A")
            .both(s -> s.passphrase(PASSPHRASE)).build();

    public static final Scenario AES192 = Scenario.named("aes192", "-c aes-ctr-192 -k aes-ctr-192, 192-bit key")
            .both(s -> s.cipher("aes-ctr-192").kdPrf("aes-ctr-192").key(KEY192).salt(SALT)).build();

    public static final Scenario AES256 = Scenario.named("aes256", "-c aes-ctr-256 -k aes-ctr-256, 256-bit key")
            .both(s -> s.cipher("aes-ctr-256").kdPrf("aes-ctr-256").key(KEY256).salt(SALT)).build();

    public static final Scenario AES256_KD128 = Scenario.named("aes256-kd128",
                    "-c aes-ctr-256 with -k aes-ctr (128-bit master key)")
            .both(s -> s.cipher("aes-ctr-256").kdPrf("aes-ctr").key(KEY128).salt(SALT)).build();

    public static final Scenario NULL_SHA1 = Scenario.named("null-sha1", "-c null, HMAC-SHA1/10")
            .both(s -> s.cipher("null").authAlgo("sha1").key(KEY128).salt(SALT)).build();

    public static final Scenario NULL_NULL = Scenario.named("null-null", "-c null -a null (kd-prf forced to null)")
            .both(s -> s.cipher("null").authAlgo("null").key(KEY128).salt(SALT)).build();

    public static final Scenario TAG4 = Scenario.named("tag4", "-b 4")
            .both(s -> s.key(KEY128).salt(SALT).tagLength(4)).build();

    public static final Scenario TAG20 = Scenario.named("tag20", "-b 20")
            .both(s -> s.key(KEY128).salt(SALT).tagLength(20)).build();

    public static final Scenario MUX_SENDER_ID = Scenario.named("mux-sid", "-m 4711 on both, -s 23 / -s 42, -w 64")
            .both(s -> s.key(KEY128).salt(SALT).mux(4711).window(64))
            .left(s -> s.senderId(23)).right(s -> s.senderId(42)).build();

    public static final Scenario TAP_MODE = Scenario.named("tap", "tap devices carrying Ethernet frames (ARP + IP)")
            .both(s -> s.key(KEY128).salt(SALT)).with(TAP).build();

    public static final Scenario IPV6_INNER = Scenario.named("inner-v6", "IPv6 packets inside the tunnel")
            .both(s -> s.key(KEY128).salt(SALT)).with(INNER_V6, UDP_BURSTS).build();

    public static final Scenario IPV6_OUTER = Scenario.named("outer-v6", "SATP over outer IPv6 (-6, -r <v6 address>)")
            .both(s -> s.key(KEY128).salt(SALT)).with(OUTER_V6).build();

    public static final Scenario LEARN_REMOTE = Scenario.named("learn-remote",
                    "right end without -r: it learns the endpoint from the left's first packet")
            .both(s -> s.key(KEY128).salt(SALT)).with(RIGHT_LEARNS_REMOTE).build();

    public static final Scenario REPLAY_W64 = Scenario.named("replay-w64",
                    "-w 64: a captured datagram replayed from a third address is dropped, the endpoint stays")
            .both(s -> s.key(KEY128).salt(SALT).window(64)).with(REPLAY_REJECTED, NO_TCP).build();

    /** Control for {@link #REPLAY_W64}: with {@code -w 0} the same replay redirects the receiver (reference behaviour). */
    public static final Scenario REPLAY_W0_CONTROL = Scenario.named("replay-w0-control",
                    "-w 0 control: the replayed datagram moves the receiver's endpoint to the third address")
            .both(s -> s.key(KEY128).salt(SALT).window(0)).with(REPLAY_REDIRECTS, NO_TCP).build();

    /** The interop matrix scenarios (run for every pairing). */
    public static final List<Scenario> INTEROP = List.of(DEFAULTS, PASSPHRASE_KEYS, AES192, AES256, AES256_KD128,
            NULL_SHA1, NULL_NULL, TAG4, TAG20, MUX_SENDER_ID, TAP_MODE, IPV6_INNER, IPV6_OUTER, LEARN_REMOTE,
            REPLAY_W64);

    /** Extra scenarios run only between the reference programs (harness self-checks). */
    public static final List<Scenario> REFERENCE_ONLY = List.of(REPLAY_W0_CONTROL);
}
