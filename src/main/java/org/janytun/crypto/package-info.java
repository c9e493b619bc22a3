/**
 * Packet protection: the {@link org.janytun.crypto.Suite}/{@link org.janytun.crypto.PacketProtection} seam; the
 * legacy SATP suite (key derivation, AES-CTR, HMAC-SHA1 over the JCE; master key and salt; roles and labels) and
 * the AEAD suites of SATP sessions (AES-256-GCM, ChaCha20-Poly1305).
 */
package org.janytun.crypto;
