package org.janytun.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.Hex;
import org.janytun.crypto.Role;
import org.janytun.crypto.Vectors;
import org.janytun.wire.DeviceType;
import org.janytun.wire.SatpLayout;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every packet the real anytun/uanytun put on the wire: opening it as the receiving role gives the captured inner
 * packet, and sealing that inner packet as the sending role gives the captured datagram byte for byte.
 */
class SatpVectorsTest {

    @TestFactory
    List<DynamicNode> everyCapturedPacket() {
        List<DynamicNode> files = new ArrayList<>();
        int packets = 0;
        for (String file : Vectors.packetFiles()) {
            JsonNode v = Vectors.read(file);
            JsonNode config = v.get("config");
            List<DynamicTest> tests = new ArrayList<>();
            for (JsonNode p : v.get("packets")) {
                String name = "#" + p.get("index").asInt() + " " + p.get("sender_role").asText() + " sends seq "
                        + p.get("seq_nr").asLong();
                tests.add(DynamicTest.dynamicTest(name + " opens", () -> opens(config, p)));
                tests.add(DynamicTest.dynamicTest(name + " seals", () -> seals(config, p)));
                packets++;
            }
            files.add(DynamicContainer.dynamicContainer(file, tests));
        }
        assertTrue(packets >= 120, "expected the full vector set, found " + packets + " packets");
        return files;
    }

    private static SatpSession session(JsonNode config, JsonNode p, boolean asSender) {
        CryptoSuite suite = Vectors.suite(config);
        if (config.hasNonNull("master_key_hex") && suite.masterKey().length > 0) {
            assertEquals(config.get("master_key_hex").asText(), Hex.format(suite.masterKey()), "master key");
            assertEquals(config.get("master_salt_hex").asText(), Hex.format(suite.masterSalt()), "master salt");
        }
        assertEquals(config.get("auth_tag_length").asInt(), suite.tagLength(), "effective tag length");
        Role sender = Role.parse(p.get("sender_role").asText()).orElseThrow();
        DeviceType type = DeviceType.valueOf(config.get("device_type").asText().toUpperCase());
        int senderId = asSender ? p.get("sender_id").asInt() : 0;
        return new SatpSession(suite, asSender ? sender : sender.peer(), senderId, p.get("mux").asInt(), type, 64);
    }

    private static void opens(JsonNode config, JsonNode p) {
        byte[] wire = Vectors.hex(p.get("udp_payload_hex"));
        byte[] buf = Arrays.copyOf(wire, SatpLayout.BUFFER_SIZE);
        PacketResult r = new PacketResult();
        boolean delivered = session(config, p, false).open(buf, wire.length, r);
        assertTrue(delivered, () -> "dropped: " + r.drop());
        assertEquals(p.get("seq_nr").asLong(), Integer.toUnsignedLong(r.seq()));
        assertEquals(p.get("sender_id").asInt(), r.senderId());
        assertEquals(Integer.parseInt(p.get("payload_type_hex").asText(), 16), r.payloadType());
        assertEquals(p.get("inner_packet_hex").asText(),
                HexFormat.of().formatHex(buf, r.innerOffset(), r.innerOffset() + r.innerLength()));
    }

    private static void seals(JsonNode config, JsonNode p) {
        byte[] inner = Vectors.hex(p.get("inner_packet_hex"));
        byte[] buf = new byte[SatpLayout.BUFFER_SIZE];
        System.arraycopy(inner, 0, buf, SatpLayout.INNER_OFFSET, inner.length);
        SatpSession s = session(config, p, true);
        s.setNextSeq((int) p.get("seq_nr").asLong());
        PacketResult r = new PacketResult();
        assertTrue(s.seal(buf, inner.length, r), () -> "seal failed: " + r.drop());
        assertArrayEquals(Vectors.hex(p.get("udp_payload_hex")), Arrays.copyOf(buf, r.datagramLength()));
    }
}
