package org.janytun.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.Role;
import org.janytun.crypto.Vectors;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The 22 crafted packets of {@code receiver_behaviour.json}, fed in order to a fresh receiver with window 64 and
 * with window 0: we deliver exactly what the real receivers wrote to their tun device.
 *
 * <p>Where the two references disagree (a payload type that does not fit a tun device: uanytun ignores the type,
 * anytun drops the packet) we decide as anytun does: a tun device only takes IPv4/IPv6.
 */
class ReceiverBehaviourTest {
    private static final JsonNode VECTOR = Vectors.read("receiver_behaviour.json");
    /** Steps where uanytun and anytun differ: the payload-type checks. */
    private static final Set<Integer> REFERENCES_DISAGREE = Set.of(12, 14);

    @TestFactory
    List<DynamicTest> window64() {
        return decisions(64, "uanytun_w64", "anytun_w64");
    }

    @TestFactory
    List<DynamicTest> window0() {
        return decisions(0, "uanytun_w0", "anytun_w0");
    }

    private static SatpSession receiver(long window) {
        JsonNode c = VECTOR.get("config");
        CryptoSuite suite = CryptoSuite.of(org.janytun.crypto.CtrAlgorithm.AES_CTR_128,
                org.janytun.crypto.CtrAlgorithm.AES_CTR_128, org.janytun.crypto.AuthAlgorithm.SHA1,
                c.get("auth_tag_length").asInt(), Vectors.hex(c.get("master_key_hex")),
                Vectors.hex(c.get("master_salt_hex")), null);
        return new SatpSession(suite, Role.parse(c.get("receiver_role").asText()).orElseThrow(), 0,
                c.get("receiver_mux").asInt(), DeviceType.TUN, window);
    }

    private static List<DynamicTest> decisions(long window, String uanytun, String anytun) {
        // one receiver for the whole sequence: each decision depends on the steps before it
        SatpSession rx = receiver(window);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode step : VECTOR.get("steps")) {
            int n = step.get("step").asInt();
            boolean uanytunWrote = step.get("observed").get(uanytun).get("accepted_and_written").asBoolean();
            boolean anytunWrote = step.get("observed").get(anytun).get("accepted_and_written").asBoolean();
            if (!REFERENCES_DISAGREE.contains(n)) {
                assertEquals(uanytunWrote, anytunWrote, "step " + n + ": references disagree unexpectedly");
            }
            PacketResult r = new PacketResult();
            byte[] wire = Vectors.hex(step.get("udp_payload_hex"));
            boolean delivered = rx.open(Arrays.copyOf(wire, SatpLayout.BUFFER_SIZE), wire.length, r);
            tests.add(DynamicTest.dynamicTest("step " + n + " " + step.get("case").asText(),
                    () -> assertEquals(anytunWrote, delivered, "drop reason " + r.drop())));
        }
        return tests;
    }

    /** Sources whose authentic packets move the remote endpoint: 5555 then 4444, never the bad-tag 6666. */
    @Test
    void endpointLearningFollowsAuthenticPacketsOnly() {
        for (long window : new long[] {64, 0}) {
            SatpSession rx = receiver(window);
            List<String> changes = new ArrayList<>();
            String remote = null;
            for (JsonNode step : VECTOR.get("steps")) {
                PacketResult r = new PacketResult();
                byte[] wire = Vectors.hex(step.get("udp_payload_hex"));
                rx.open(Arrays.copyOf(wire, SatpLayout.BUFFER_SIZE), wire.length, r);
                String source = step.get("udp_source").asText();
                if (r.authentic() && !source.equals(remote)) {
                    remote = source;
                    changes.add(source);
                }
            }
            assertEquals(List.of("10.99.0.1:5555", "10.99.0.1:4444"), changes, "window " + window);
            List<String> logged = new ArrayList<>();
            VECTOR.get("remote_endpoint_learning").get(window == 64 ? "uanytun_w64" : "uanytun_w0")
                    .get("log_remote_lines").forEach(l -> logged.add(l.asText().replaceAll(".* ", "")));
            assertEquals(logged, changes);
        }
    }
}
