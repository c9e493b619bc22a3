package org.janytun.crypto;

/**
 * Protects and checks SATP datagrams in place, for one direction and one thread (SPEC §5–§7 for the legacy suite).
 * A datagram buffer holds the header at 0..7 (written by the session), the protected portion from 8, then
 * {@link #tagLength()} bytes of tag. Implementations allocate nothing per packet and never throw on hostile input.
 *
 * <p>Opening is two steps because SATP checks the replay window between them (SPEC §9): {@link #authenticate}
 * decides, {@link #decrypt} then reveals. An AEAD suite may do all its work in {@code authenticate} (into its own
 * buffer) and only copy the plaintext in {@code decrypt}.
 */
public interface PacketProtection {
    int tagLength();

    /**
     * Protects {@code buf[8, end)} and appends the tag; the header (with the sequence number) is already written by
     * the sender of role {@code sender}. {@code buf} has room for the tag after {@code end}.
     *
     * @return the datagram length, {@code end + tagLength()}
     */
    int seal(Role sender, byte[] buf, int end);

    /** Whether the datagram of {@code length} bytes (at least header + tag) came from {@code sender}, in constant time. */
    boolean authenticate(Role sender, byte[] buf, int length);

    /** Reveals {@code buf[8, end)} of a datagram that passed {@link #authenticate}; {@code end} = length less tag. */
    void decrypt(Role sender, byte[] buf, int end);
}
