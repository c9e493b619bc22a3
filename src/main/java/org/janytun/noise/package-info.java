/**
 * The Noise Protocol Framework (revision 34) over the JDK's crypto only: {@link CipherState},
 * {@link SymmetricState} and {@link HandshakeState} for the IK family with the {@code psk} modifiers and the
 * KEM-based {@code hfs} modifier (ML-KEM-768). Pure: no I/O, no clocks, randomness injected. Handshake code, not
 * packet code: it allocates freely.
 */
package org.janytun.noise;
