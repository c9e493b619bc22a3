package org.janytun.keyx;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.janytun.crypto.AeadSuite;
import org.janytun.noise.HandshakeState;
import org.janytun.noise.MlKem768;
import org.janytun.noise.NoiseCipher;
import org.janytun.noise.NoiseException;
import org.janytun.noise.Protocol;
import org.janytun.noise.X25519;
import org.janytun.wire.SatpLayout;

/**
 * The two handshake datagrams of an SATP session (docs/SATP-SESSIONS.md §3–§5) around one Noise handshake
 * ({@code Noise_IKhfs+psk2_25519+MLKEM768_*_SHA256}, or {@code Noise_IKpsk2_25519_*_SHA256} without PQ):
 * <pre>
 * initiation: header(type 1) | sender index 4 | Noise message 1 | mac1 16 | mac2 16
 * response:   header(type 2) | sender index 4 | receiver index 4 | Noise message 2 | mac1 16 | mac2 16
 * </pre>
 * The initiation's Noise payload is TAI64N(12) ‖ flags(4); the response's is mux(2) ‖ key phase(1) ‖ flags(1).
 * Lengths are exact for each protocol, mac1 is checked before any public-key work, and every failure is a
 * {@link NoiseException} saying which check failed (never a secret). Policy (which peers are known, timestamps,
 * rate limits, cookies under load) is the caller's: this class gives it what it needs to decide.
 */
public final class SessionHandshake {
    /** Mixed into every handshake: a different protocol version never completes a handshake with this one. */
    public static final byte[] PROLOGUE = "SATP sessions 1".getBytes(StandardCharsets.US_ASCII);
    public static final int INITIATION_PAYLOAD = Tai64n.LENGTH + 4;
    public static final int RESPONSE_PAYLOAD = 4;
    private static final int TAG = NoiseCipher.TAG_LENGTH;
    private static final int MACS = 2 * Macs.LENGTH;

    private SessionHandshake() {}

    /**
     * Simultaneous initiations (docs/SATP-SESSIONS.md §6.4): when a side waiting for its response receives a valid
     * initiation from the same peer, it keeps its own attempt (and drops the peer's) if its static public key is
     * the smaller in unsigned byte order; otherwise it abandons its attempt and answers. Both sides decide alike.
     */
    public static boolean keepsOwnInitiation(byte[] localStatic, byte[] peerStatic) {
        return Arrays.compareUnsigned(localStatic, peerStatic) < 0;
    }

    /** Length of an initiation datagram for {@code protocol}. */
    public static int initiationLength(Protocol protocol) {
        int noise = X25519.KEY_LENGTH + (protocol.kem() ? MlKem768.PUBLIC_KEY_LENGTH + TAG : 0)
                + X25519.KEY_LENGTH + TAG + INITIATION_PAYLOAD + TAG;
        return SatpLayout.HEADER_LENGTH + 4 + noise + MACS;
    }

    /** Length of a response datagram for {@code protocol}. */
    public static int responseLength(Protocol protocol) {
        int noise = X25519.KEY_LENGTH + (protocol.kem() ? MlKem768.CIPHERTEXT_LENGTH + TAG : 0)
                + RESPONSE_PAYLOAD + TAG;
        return SatpLayout.HEADER_LENGTH + 8 + noise + MACS;
    }

    /**
     * A completed handshake on either side: the key material (for a {@link SessionRecord}; wipe it once shared),
     * the data suite and what the session needs around it; {@code timestamp} is the initiation's TAI64N.
     */
    public record Established(KeyMaterial keys, AeadSuite suite, boolean initiator, int mux, int keyPhase,
                              int localIndex, int remoteIndex, byte[] peerStatic, byte[] handshakeHash,
                              byte[] timestamp) {
        @Override
        public String toString() {
            return "established " + suite + (initiator ? " as initiator" : " as responder") + ", mux " + mux
                    + ", phase " + keyPhase;
        }
    }

    /** The initiator's side: one instance per attempt (a retry is a new instance with a new ephemeral). */
    public static final class Initiator {
        private final Protocol protocol;
        private final HandshakeState noise;
        private final byte[] mac1Key;
        private final byte[] peerStatic;
        private final int senderId;
        private final int localIndex;
        private final byte[] timestamp;

        /** {@code psk}: the peer's PSK, or null for none (32 zero bytes, as WireGuard). */
        public Initiator(Protocol protocol, X25519.KeyPair local, byte[] peerStatic, byte[] psk, int senderId,
                         int localIndex, Instant now, SecureRandom random) {
            this.protocol = protocol;
            this.peerStatic = peerStatic.clone();
            this.senderId = senderId;
            this.localIndex = localIndex;
            this.timestamp = Tai64n.of(now);
            this.mac1Key = Macs.mac1Key(local.publicKey());
            this.noise = new HandshakeState(protocol, true, PROLOGUE, local, null, peerStatic,
                    List.of(psk == null ? new byte[32] : psk), random);
        }

        /** The initiation datagram; {@code cookie} (16 bytes, from a cookie reply) or null for a zero mac2. */
        public byte[] initiation(byte[] cookie) {
            byte[] payload = Arrays.copyOf(timestamp, INITIATION_PAYLOAD);
            byte[] msg = noise.writeMessage(payload);
            byte[] d = new byte[initiationLength(protocol)];
            ControlDatagram.writeHeader(d, ControlDatagram.INITIATION, senderId);
            SatpLayout.putInt(d, 8, localIndex);
            System.arraycopy(msg, 0, d, 12, msg.length);
            int mac1At = d.length - MACS;
            Macs.mac(Macs.mac1Key(peerStatic), d, mac1At, d, mac1At);
            if (cookie != null) {
                Macs.mac(cookie, d, mac1At + Macs.LENGTH, d, mac1At + Macs.LENGTH);
            }
            return d;
        }

        public int localIndex() {
            return localIndex;
        }

        /** Reads the response: the established session, or {@link NoiseException} (and this attempt is over). */
        public Established consume(byte[] d, int length) throws NoiseException {
            if (length != responseLength(protocol) || ControlDatagram.type(d) != ControlDatagram.RESPONSE
                    || SatpLayout.mux(d) != ControlDatagram.MUX) {
                throw new NoiseException("not a response of " + protocol.name());
            }
            if (SatpLayout.getInt(d, 12) != localIndex) {
                throw new NoiseException("response for another handshake");
            }
            byte[] datagram = Arrays.copyOf(d, length);
            if (!Macs.check(mac1Key, datagram, length - MACS)) {
                throw new NoiseException("bad mac1");
            }
            byte[] payload = noise.readMessage(Arrays.copyOfRange(datagram, 16, length - MACS));
            if (payload.length != RESPONSE_PAYLOAD) {
                throw new NoiseException("response payload of " + payload.length + " bytes");
            }
            byte[] hash = noise.handshakeHash();
            KeyMaterial keys = SessionKeys.material(SessionKeys.dataAlgorithm(protocol.cipher()), noise.splitKeys());
            return new Established(keys, keys.suite(), true, ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF),
                    payload[2] & 3, localIndex, SatpLayout.getInt(datagram, 8), peerStatic.clone(), hash,
                    timestamp.clone());
        }
    }

    /** The responder's side: checks and reads initiations; one {@link Incoming} per initiation read. */
    public static final class Responder {
        private final Protocol protocol;
        private final X25519.KeyPair local;
        private final byte[] mac1Key;
        private final int senderId;
        private final SecureRandom random;

        public Responder(Protocol protocol, X25519.KeyPair local, int senderId, SecureRandom random) {
            this.protocol = protocol;
            this.local = local;
            this.mac1Key = Macs.mac1Key(local.publicKey());
            this.senderId = senderId;
            this.random = random;
        }

        /**
         * The cheap checks, no public-key work: length, type and mac1, and mac2 against {@code cookie} when the
         * caller is under load (null otherwise). A datagram that fails them is dropped and counted by the caller.
         */
        public boolean precheck(byte[] d, int length, byte[] cookie) {
            if (length != initiationLength(protocol) || ControlDatagram.type(d) != ControlDatagram.INITIATION
                    || SatpLayout.mux(d) != ControlDatagram.MUX) {
                return false;
            }
            byte[] datagram = Arrays.copyOf(d, length);
            return Macs.check(mac1Key, datagram, length - MACS)
                    && (cookie == null || Macs.check(cookie, datagram, length - Macs.LENGTH));
        }

        /** Reads an initiation that passed {@link #precheck}: who it is from and when, to be answered or not. */
        public Incoming read(byte[] d, int length, byte[] cookie) throws NoiseException {
            if (!precheck(d, length, cookie)) {
                throw new NoiseException("initiation fails length, type or mac checks");
            }
            HandshakeState noise = new HandshakeState(protocol, false, PROLOGUE, local, null, null, List.of(), random);
            byte[] payload = noise.readMessage(Arrays.copyOfRange(d, 12, length - MACS));
            return new Incoming(this, noise, SatpLayout.getInt(d, 8), Arrays.copyOf(payload, Tai64n.LENGTH));
        }
    }

    /** A read initiation: the caller checks the peer and the timestamp, then {@link #answer}s or drops it. */
    public static final class Incoming {
        private final Responder responder;
        private final HandshakeState noise;
        private final int remoteIndex;
        private final byte[] timestamp;

        Incoming(Responder responder, HandshakeState noise, int remoteIndex, byte[] timestamp) {
            this.responder = responder;
            this.noise = noise;
            this.remoteIndex = remoteIndex;
            this.timestamp = timestamp;
        }

        /** The initiator's static public key (authenticated by the ss and, on answer, the se token). */
        public byte[] peerStatic() {
            return noise.remoteStatic();
        }

        /** The TAI64N timestamp; accept only if later than the last one accepted from this peer. */
        public byte[] timestamp() {
            return timestamp.clone();
        }

        public int remoteIndex() {
            return remoteIndex;
        }

        /**
         * The response datagram for this peer's PSK (null for none), the data {@code mux} and the {@code keyPhase}
         * the responder chose, and the established session (the responder holds it as <em>next</em> until data
         * arrives under it, docs/SATP-SESSIONS.md §6).
         */
        public Answer answer(byte[] psk, int mux, int keyPhase, int localIndex, byte[] initiatorCookie) {
            noise.addPsk(psk == null ? new byte[32] : psk);
            byte[] msg = noise.writeMessage(new byte[] {(byte) (mux >>> 8), (byte) mux, (byte) (keyPhase & 3), 0});
            Protocol protocol = responder.protocol;
            byte[] d = new byte[responseLength(protocol)];
            ControlDatagram.writeHeader(d, ControlDatagram.RESPONSE, responder.senderId);
            SatpLayout.putInt(d, 8, localIndex);
            SatpLayout.putInt(d, 12, remoteIndex);
            System.arraycopy(msg, 0, d, 16, msg.length);
            int mac1At = d.length - MACS;
            byte[] peer = noise.remoteStatic();
            Macs.mac(Macs.mac1Key(peer), d, mac1At, d, mac1At);
            if (initiatorCookie != null) {
                Macs.mac(initiatorCookie, d, mac1At + Macs.LENGTH, d, mac1At + Macs.LENGTH);
            }
            byte[] hash = noise.handshakeHash();
            KeyMaterial keys = SessionKeys.material(SessionKeys.dataAlgorithm(protocol.cipher()), noise.splitKeys());
            return new Answer(d, new Established(keys, keys.suite(), false, mux, keyPhase & 3, localIndex,
                    remoteIndex, peer, hash, timestamp.clone()));
        }

        /** Drops the initiation and wipes its handshake state. */
        public void refuse() {
            noise.fail();
        }
    }

    /** The response datagram and the responder's session. */
    public record Answer(byte[] datagram, Established established) {}
}
