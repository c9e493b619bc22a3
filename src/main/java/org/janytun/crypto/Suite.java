package org.janytun.crypto;

/**
 * A packet protection suite: what both ends agree on to protect datagrams (algorithms and keys: what a connection
 * holds). The session borrows its thread's {@link PacketProtection} engine bound to it and knows nothing else of
 * it, so a new suite (an AEAD one) implements this and {@link PacketProtection} and touches neither the session
 * nor the stages. The first implementation is
 * the legacy SATP suite, {@link CryptoSuite} (AES-CTR/HMAC-SHA1 and their null variants, per-packet KDF).
 *
 * <p>{@link Object#toString} must be safe to log (no key material).
 */
public interface Suite {
    /** The bytes of tag after the protected portion of every datagram. */
    int tagLength();

    /**
     * A fresh engine bound to this suite, for one thread; it can then {@link PacketProtection#bind} to other suites
     * of its kind. Sessions do not call this per connection but borrow their thread's ({@link ThreadEngines}).
     */
    PacketProtection newProtection();

    /** The same algorithms under random keys: for the warm-up, which must not touch a tunnel's keys. */
    Suite throwaway();
}
