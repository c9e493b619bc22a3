package org.janytun.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An AEAD data suite ({@link Suite}) for one key pair of an SATP session: per sending {@link Role}, a 256-bit key
 * and a 96-bit iv. Datagrams are {@code header(8) ‖ AEAD(payload type ‖ inner) ‖ tag(16)} with the header as
 * associated data and {@code nonce = iv ⊕ (0x0000 ‖ sender id ‖ mux ‖ 0x0000 ‖ seq)}, so the nonce is unique per
 * (key, sender id, seq) by construction; this suite also refuses, process-wide, to seal a sequence number of a
 * role that is not above the last one it sealed for that role (a programming error, never input).
 *
 * <p>{@link Object#toString} names the algorithm only.
 */
public final class AeadSuite implements Suite {
    private final AeadAlgorithm algorithm;
    private final Map<Role, byte[]> keys = new EnumMap<>(Role.class);
    private final Map<Role, byte[]> ivs = new EnumMap<>(Role.class);
    /** Per sending role, the highest sequence number sealed (unsigned), −1 before the first. */
    private final Map<Role, AtomicLong> sealed = new EnumMap<>(Role.class);

    /**
     * @param keyLeft  key of packets sent by {@link Role#LEFT}, 32 bytes (copied)
     * @param ivLeft   their iv, 12 bytes (copied)
     */
    public AeadSuite(AeadAlgorithm algorithm, byte[] keyLeft, byte[] ivLeft, byte[] keyRight, byte[] ivRight) {
        this.algorithm = algorithm;
        put(Role.LEFT, keyLeft, ivLeft);
        put(Role.RIGHT, keyRight, ivRight);
    }

    private void put(Role role, byte[] key, byte[] iv) {
        if (key.length != AeadAlgorithm.KEY_LENGTH || iv.length != AeadAlgorithm.NONCE_LENGTH) {
            throw new IllegalArgumentException("an AEAD suite needs 32-byte keys and 12-byte ivs");
        }
        keys.put(role, key.clone());
        ivs.put(role, iv.clone());
        sealed.put(role, new AtomicLong(-1));
    }

    public AeadAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public int tagLength() {
        return AeadAlgorithm.TAG_LENGTH;
    }

    @Override
    public PacketProtection newProtection() {
        return new AeadProtection(this);
    }

    @Override
    public AeadSuite throwaway() {
        SecureRandom r = new SecureRandom();
        byte[][] k = new byte[4][];
        for (int i = 0; i < 4; i++) {
            k[i] = new byte[i % 2 == 0 ? AeadAlgorithm.KEY_LENGTH : AeadAlgorithm.NONCE_LENGTH];
            r.nextBytes(k[i]);
        }
        return new AeadSuite(algorithm, k[0], k[1], k[2], k[3]);
    }

    byte[] key(Role sender) {
        return keys.get(sender);
    }

    byte[] iv(Role sender) {
        return ivs.get(sender);
    }

    /** Records {@code seq} as sealed by {@code sender}, or throws if it is not above every earlier one. */
    void claim(Role sender, int seq) {
        AtomicLong last = sealed.get(sender);
        long s = Integer.toUnsignedLong(seq);
        long prev = last.get();
        if (s <= prev || !last.compareAndSet(prev, s)) {
            throw new IllegalStateException("refusing to seal sequence number " + s + " of " + sender
                    + " again under the same key (last " + last.get() + "): nonce reuse");
        }
    }

    /** Wipes the keys and ivs; protections made from this suite must not be used afterwards. */
    public void wipe() {
        keys.values().forEach(k -> Arrays.fill(k, (byte) 0));
        ivs.values().forEach(k -> Arrays.fill(k, (byte) 0));
    }

    @Override
    public String toString() {
        return algorithm.optionName() + " (tag 16 bytes)";
    }
}
