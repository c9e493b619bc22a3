package org.janytun.crypto;

/** The per-packet keys derived from one sequence number (SPEC §5): reused scratch space, never shared between threads. */
public final class PacketKeys {
    public static final int AUTH_KEY_LENGTH = 20;

    final byte[] cipherKey;
    final byte[] sessionSalt = new byte[CryptoSuite.SALT_LENGTH];
    final byte[] authKey = new byte[AUTH_KEY_LENGTH];

    PacketKeys(int cipherKeyBytes) {
        cipherKey = new byte[cipherKeyBytes];
    }
}
