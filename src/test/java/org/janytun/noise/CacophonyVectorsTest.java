package org.janytun.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Noise core against every {@code Noise_IK*_25519_*_SHA256} vector of cacophony
 * ({@code ../shared/noise/cacophony.txt}, format in its README): both sides replay the handshake with the
 * vector's keys, every handshake and transport ciphertext must match byte for byte, and so must the handshake
 * hash. The count is asserted, so a filter that matches nothing fails.
 */
class CacophonyVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    /** IK, IK1, IKpsk1, IKpsk2, each with AESGCM and ChaChaPoly. */
    static final int EXPECTED = 8;

    static List<JsonNode> vectors() throws IOException {
        Path file = Path.of(System.getProperty("noise.vectors", "../shared/noise/cacophony.txt"));
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the Noise test vectors are missing: " + file.toAbsolutePath()
                    + " (expected ../shared/noise/cacophony.txt beside the checkout)");
        }
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode v : new ObjectMapper().readTree(file.toFile()).get("vectors")) {
            String name = v.get("protocol_name").asText();
            if (name.matches("Noise_IK[^_]*_25519_[^_]+_SHA256")) {
                out.add(v);
            }
        }
        return out;
    }

    static Stream<Arguments> ikVectors() throws IOException {
        return vectors().stream().map(v -> Arguments.of(v.get("protocol_name").asText(), v));
    }

    @Test
    void everyIkVectorIsRun() throws IOException {
        List<String> names = vectors().stream().map(v -> v.get("protocol_name").asText()).sorted().toList();
        assertEquals(EXPECTED, names.size(), names.toString());
        assertTrue(names.contains("Noise_IKpsk2_25519_AESGCM_SHA256"), names.toString());
        assertTrue(names.contains("Noise_IKpsk2_25519_ChaChaPoly_SHA256"), names.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ikVectors")
    void reproducesTheVector(String name, JsonNode v) throws NoiseException {
        Protocol protocol = Protocol.parse(v.get("protocol_name").asText());
        HandshakeState init = new HandshakeState(protocol, true, hex(v, "init_prologue"),
                X25519.fromPrivate(hex(v, "init_static")), X25519.fromPrivate(hex(v, "init_ephemeral")),
                hex(v, "init_remote_static"), psks(v, "init_psks"), new FailingRandom());
        HandshakeState resp = new HandshakeState(protocol, false, hex(v, "resp_prologue"),
                X25519.fromPrivate(hex(v, "resp_static")), X25519.fromPrivate(hex(v, "resp_ephemeral")),
                null, psks(v, "resp_psks"), new FailingRandom());
        int handshakeMessages = protocol.pattern().messages().size();
        CipherState[] ic = null;
        CipherState[] rc = null;
        int i = 0;
        for (JsonNode m : v.get("messages")) {
            byte[] payload = HEX.parseHex(m.get("payload").asText());
            byte[] expected = HEX.parseHex(m.get("ciphertext").asText());
            boolean fromInitiator = i % 2 == 0;
            if (i < handshakeMessages) {
                HandshakeState w = fromInitiator ? init : resp;
                HandshakeState r = fromInitiator ? resp : init;
                byte[] c = w.writeMessage(payload);
                assertArrayEquals(expected, c, "message " + i);
                assertArrayEquals(payload, r.readMessage(c), "payload " + i);
                if (i == handshakeMessages - 1) {
                    assertArrayEquals(hex(v, "handshake_hash"), init.handshakeHash());
                    assertArrayEquals(hex(v, "handshake_hash"), resp.handshakeHash());
                    assertArrayEquals(hex(v, "init_static").length == 0 ? null : X25519.fromPrivate(
                            hex(v, "init_static")).publicKey(), resp.remoteStatic());
                    ic = init.split();
                    rc = resp.split();
                }
            } else {
                CipherState w = fromInitiator ? ic[0] : rc[1];
                CipherState r = fromInitiator ? rc[0] : ic[1];
                byte[] c = w.encryptWithAd(new byte[0], payload);
                assertArrayEquals(expected, c, "transport message " + i);
                assertArrayEquals(payload, r.decryptWithAd(new byte[0], c), "transport payload " + i);
            }
            i++;
        }
        assertTrue(i > handshakeMessages, "the vector has transport messages");
    }

    private static byte[] hex(JsonNode v, String field) {
        JsonNode n = v.get(field);
        return n == null ? (field.endsWith("remote_static") ? null : new byte[0]) : HEX.parseHex(n.asText());
    }

    private static List<byte[]> psks(JsonNode v, String field) {
        List<byte[]> out = new ArrayList<>();
        if (v.has(field)) {
            v.get(field).forEach(p -> out.add(HEX.parseHex(p.asText())));
        }
        return out;
    }

    /** The vectors fix every ephemeral: a handshake that draws randomness is a bug here. */
    static final class FailingRandom extends SecureRandom {
        @Override
        public void nextBytes(byte[] bytes) {
            throw new AssertionError("no randomness expected");
        }
    }
}
