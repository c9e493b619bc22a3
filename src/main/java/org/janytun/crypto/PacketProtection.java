package org.janytun.crypto;

/**
 * Protects and checks SATP datagrams in place, for one thread (SPEC §5–§7 for the legacy suite): an engine that
 * {@link #bind}s to the keys of whichever connection's {@link Suite} the packet at hand belongs to, so that a thread
 * needs one engine per kind of suite, not one per connection ({@link ThreadEngines}; issue 17: a connection holds
 * keys, not JCE objects).
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
     * Makes the following calls use {@code suite}'s keys, if this engine can serve it (a suite of its own kind and
     * algorithms): true then. Cheap when {@code suite} is the one already bound; otherwise the key schedules are
     * set up again (the legacy suite: the kd-prf's AES key; an AEAD suite: nothing until its next init).
     */
    boolean bind(Suite suite);

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
