package org.janytun.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The legacy SATP suite ({@link Suite}): everything both ends of a tunnel must agree on: algorithms, tag length,
 * master key and salt, after the option post-processing of SPEC §7.3 and the passphrase rules of SPEC §4.1.
 * Immutable; keys are never printed.
 *
 * @param warnings what the references would warn about (to be logged by the caller)
 */
public record CryptoSuite(CtrAlgorithm cipher, CtrAlgorithm kdPrf, AuthAlgorithm auth, int tagLength,
                          byte[] masterKey, byte[] masterSalt, List<String> warnings) implements Suite {

    public static final int SALT_LENGTH = 14;
    public static final int DEFAULT_TAG_LENGTH = 10;

    public CryptoSuite {
        masterKey = masterKey.clone();
        masterSalt = masterSalt.clone();
        warnings = List.copyOf(warnings);
    }

    /**
     * Builds a suite from option values. {@code key}, {@code salt} and {@code passphrase} may each be null:
     * the passphrase (its bytes as given on the command line) supplies whichever of key and salt is not given explicitly.
     *
     * @throws SuiteException naming the input at fault (never a secret)
     */
    public static CryptoSuite of(CtrAlgorithm cipher, CtrAlgorithm kdPrf, AuthAlgorithm auth, int requestedTagLength,
                                 byte[] key, byte[] salt, byte[] passphrase) {
        List<String> warnings = new ArrayList<>();
        if (cipher == CtrAlgorithm.NULL && auth == AuthAlgorithm.NULL) {
            kdPrf = CtrAlgorithm.NULL;
        } else if (kdPrf == CtrAlgorithm.NULL) {
            warnings.add("using NULL key derivation with encryption and or authentication enabled!");
        }
        int tagLength;
        if (auth == AuthAlgorithm.NULL) {
            tagLength = 0;
        } else {
            if (requestedTagLength < 0) {
                throw new SuiteException(SuiteException.Input.AUTH_TAG_LENGTH, "must not be negative");
            }
            tagLength = Math.min(requestedTagLength, auth.maxTagLength());
            if (requestedTagLength > auth.maxTagLength()) {
                warnings.add(auth.optionName() + " auth algo can't generate tags of length " + requestedTagLength
                        + ", using maximum tag length(" + auth.maxTagLength() + ")");
            }
        }
        if (kdPrf == CtrAlgorithm.NULL) {
            // Null key derivation yields all-zero session keys whatever the master key; none is needed.
            return new CryptoSuite(cipher, kdPrf, auth, tagLength, new byte[0], new byte[SALT_LENGTH], warnings);
        }
        byte[] masterKey = key;
        byte[] masterSalt = salt;
        if (passphrase != null) {
            byte[] p = passphrase;
            if (masterKey == null) {
                masterKey = tail(digest("SHA-256", p), kdPrf.keyBytes());
            }
            if (masterSalt == null) {
                masterSalt = tail(digest("SHA-1", p), SALT_LENGTH);
            }
        }
        if (masterKey == null) {
            throw new SuiteException(SuiteException.Input.MASTER_KEY, "no master key: give one or a passphrase");
        }
        if (masterSalt == null) {
            throw new SuiteException(SuiteException.Input.MASTER_SALT, "no master salt: give one or a passphrase");
        }
        if (masterKey.length != kdPrf.keyBytes()) {
            throw new SuiteException(SuiteException.Input.MASTER_KEY, "the master key has " + masterKey.length * 8
                    + " bits but the kd-prf " + kdPrf.optionName() + " needs " + kdPrf.keyBits()
                    + " (the tunnel could not authenticate a single packet)");
        }
        if (masterSalt.length != SALT_LENGTH) {
            throw new SuiteException(SuiteException.Input.MASTER_SALT, "the master salt must be " + SALT_LENGTH
                    + " bytes (28 hex digits), not " + masterSalt.length);
        }
        return new CryptoSuite(cipher, kdPrf, auth, tagLength, masterKey, masterSalt, warnings);
    }

    @Override
    public PacketProtection newProtection() {
        return new PacketCrypto(this);
    }

    @Override
    public CryptoSuite throwaway() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        byte[] key = new byte[masterKey.length];
        byte[] salt = new byte[masterSalt.length];
        random.nextBytes(key);
        random.nextBytes(salt);
        return new CryptoSuite(cipher, kdPrf, auth, tagLength, key, salt, List.of());
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }

    private static byte[] tail(byte[] b, int n) {
        return Arrays.copyOfRange(b, b.length - n, b.length);
    }

    @Override
    public byte[] masterKey() {
        return masterKey.clone();
    }

    @Override
    public byte[] masterSalt() {
        return masterSalt.clone();
    }

    /** The master key itself, not a copy: for the engines of this package, which never change it. */
    byte[] masterKeyView() {
        return masterKey;
    }

    /** The master salt itself, not a copy (see {@link #masterKeyView}). */
    byte[] masterSaltView() {
        return masterSalt;
    }

    /** Without key material: safe to log. */
    @Override
    public String toString() {
        return "cipher " + cipher.optionName() + ", kd-prf " + kdPrf.optionName() + ", auth " + auth.optionName()
                + " (tag " + tagLength + " bytes)";
    }
}
