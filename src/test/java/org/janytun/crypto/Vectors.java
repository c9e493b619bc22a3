package org.janytun.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The known-answer vectors captured from the real anytun/uanytun ({@code ../shared/satp/vectors}). A missing folder
 * fails the tests that use it: it never skips them.
 */
public final class Vectors {
    private Vectors() {}

    public static Path dir() {
        Path dir = Path.of(System.getProperty("satp.vectors", "../shared/satp/vectors"));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("SATP vector folder missing: " + dir.toAbsolutePath()
                    + " (expected ../shared/satp/vectors beside the checkout)");
        }
        return dir;
    }

    public static JsonNode read(String file) {
        try {
            return new ObjectMapper().readTree(dir().resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every vector file holding captured packets (all but kdf.json and receiver_behaviour.json). */
    public static List<String> packetFiles() {
        try (Stream<Path> s = Files.list(dir())) {
            List<String> files = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .filter(n -> !n.equals("kdf.json") && !n.equals("receiver_behaviour.json"))
                    .sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalStateException("no packet vectors in " + dir());
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] hex(JsonNode n) {
        return Hex.parse(n.asText());
    }

    /** The suite a vector file's {@code config} describes, through the same option rules the daemon uses. */
    public static CryptoSuite suite(JsonNode config) {
        String passphrase = config.path("passphrase").isTextual() ? config.get("passphrase").asText() : null;
        byte[] key = passphrase == null && config.hasNonNull("master_key_hex") ? hex(config.get("master_key_hex")) : null;
        byte[] salt = passphrase == null && config.hasNonNull("master_salt_hex") ? hex(config.get("master_salt_hex")) : null;
        return CryptoSuite.of(
                CtrAlgorithm.parse(config.get("cipher").asText()).orElseThrow(),
                CtrAlgorithm.parse(config.get("kd_prf").asText()).orElseThrow(),
                AuthAlgorithm.parse(config.get("auth_algo").asText()).orElseThrow(),
                config.get("auth_tag_length").asInt(), key, salt,
                passphrase == null ? null : passphrase.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
