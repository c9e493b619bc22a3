package org.janytun.noise;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * A deterministic stand-in for {@link SecureRandom} in tests: SHA-256(seed ‖ counter) blocks, so a handshake run
 * with it is reproducible and its messages can be pinned. Never for production use.
 */
public final class SeededRandom extends SecureRandom {
    private final byte[] seed;
    private long counter;
    private byte[] block = new byte[0];
    private int used;

    public SeededRandom(String seed) {
        this.seed = seed.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void nextBytes(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (used == block.length) {
                block = Hkdf.hash(seed, java.nio.ByteBuffer.allocate(8).putLong(counter++).array());
                used = 0;
            }
            bytes[i] = block[used++];
        }
    }

    @Override
    public byte[] generateSeed(int n) {
        byte[] b = new byte[n];
        nextBytes(b);
        return b;
    }

    @Override
    public int nextInt() {
        byte[] b = new byte[4];
        nextBytes(b);
        return java.nio.ByteBuffer.wrap(b).getInt();
    }

}
