package org.janytun.noise;

/**
 * A full Noise protocol name (§8) that this package implements: {@code Noise_<pattern>_25519[+MLKEM768]_<cipher>_SHA256}.
 * The name is hashed into the handshake, so two sides configured differently fail closed.
 */
public record Protocol(String name, HandshakePattern pattern, boolean kem, NoiseCipher cipher) {

    public static Protocol parse(String name) {
        String[] p = name.split("_", -1);
        if (p.length != 5 || !p[0].equals("Noise") || !p[4].equals("SHA256")) {
            throw new IllegalArgumentException("unsupported Noise protocol " + name);
        }
        HandshakePattern pattern = HandshakePattern.parse(p[1]);
        boolean kem = switch (p[2]) {
            case "25519" -> false;
            case "25519+MLKEM768" -> true;
            default -> throw new IllegalArgumentException("unsupported DH/KEM " + p[2] + " in " + name);
        };
        if (kem != pattern.hasHfs()) {
            throw new IllegalArgumentException("hfs and a KEM name go together (" + name + ")");
        }
        return new Protocol(name, pattern, kem, NoiseCipher.byNoiseName(p[3]));
    }

    /** The hybrid post-quantum IK with a PSK slot, or the classic IKpsk2, for one cipher. */
    public static Protocol ikPsk2(NoiseCipher cipher, boolean postQuantum) {
        return parse(postQuantum
                ? "Noise_IKhfs+psk2_25519+MLKEM768_" + cipher.noiseName() + "_SHA256"
                : "Noise_IKpsk2_25519_" + cipher.noiseName() + "_SHA256");
    }
}
