package org.janytun.noise;

import java.io.ByteArrayOutputStream;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Noise §5.3 HandshakeState for the patterns of {@link HandshakePattern}. One instance runs one handshake on one
 * side; after the last message {@link #split} hands over the transport keys and everything secret is wiped.
 * Any failure ({@link NoiseException} from {@link #readMessage}) leaves the instance unusable: start a new one.
 */
public final class HandshakeState {
    private final Protocol protocol;
    private final boolean initiator;
    private final SymmetricState ss;
    private final SecureRandom random;
    private final X25519.KeyPair s;
    private X25519.KeyPair e;
    private byte[] rs;
    private byte[] re;
    private MlKem768.KeyPair e1;
    private byte[] re1;
    private final Deque<byte[]> psks;
    private int message;
    private boolean failed;

    /**
     * Initialize(). {@code ephemeral} is null except for test vectors (a fresh one is drawn from {@code random});
     * {@code psks} one 32-byte key per {@code psk} token, in order (a responder that learns who the initiator is
     * only from the first message gives them later with {@link #addPsk}); {@code remoteStatic} for the initiator
     * of IK.
     */
    public HandshakeState(Protocol protocol, boolean initiator, byte[] prologue, X25519.KeyPair localStatic,
                          X25519.KeyPair ephemeral, byte[] remoteStatic, List<byte[]> psks, SecureRandom random) {
        this.protocol = protocol;
        this.initiator = initiator;
        this.random = random;
        this.s = localStatic;
        this.e = ephemeral;
        this.rs = remoteStatic == null ? null : remoteStatic.clone();
        this.psks = new ArrayDeque<>();
        for (byte[] psk : psks) {
            if (psk.length != 32) {
                throw new IllegalArgumentException("a Noise PSK has 32 bytes, not " + psk.length);
            }
            this.psks.add(psk.clone());
        }
        long needed = protocol.pattern().messages().stream().flatMap(List::stream).filter(t -> t == Token.PSK).count();
        if (this.psks.size() > needed) {
            throw new IllegalArgumentException(protocol.name() + " takes " + needed + " PSKs, got " + psks.size());
        }
        this.ss = new SymmetricState(protocol.cipher(), protocol.name());
        ss.mixHash(prologue);
        if (protocol.pattern().responderStaticKnown()) {
            byte[] responderStatic = initiator ? rs : s.publicKey();
            if (responderStatic == null) {
                throw new IllegalArgumentException("the initiator of " + protocol.pattern().name()
                        + " needs the responder's static key");
            }
            ss.mixHash(responderStatic);
        }
    }

    /** Supplies the next PSK before its token is reached (copied; wiped once used). */
    public void addPsk(byte[] psk) {
        if (psk.length != 32) {
            throw new IllegalArgumentException("a Noise PSK has 32 bytes, not " + psk.length);
        }
        psks.add(psk.clone());
    }

    public Protocol protocol() {
        return protocol;
    }

    public boolean isInitiator() {
        return initiator;
    }

    /** Whether it is this side's turn to write. */
    public boolean isMyTurn() {
        return (message % 2 == 0) == initiator;
    }

    public boolean isComplete() {
        return message == protocol.pattern().messages().size();
    }

    /** The remote static public key (known beforehand or learnt from the handshake). */
    public byte[] remoteStatic() {
        return rs == null ? null : rs.clone();
    }

    public byte[] handshakeHash() {
        return ss.handshakeHash();
    }

    /** WriteMessage(payload): the next handshake message. */
    public byte[] writeMessage(byte[] payload) {
        if (failed || isComplete() || !isMyTurn()) {
            throw new IllegalStateException("not this side's turn to write");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try {
            for (Token t : protocol.pattern().messages().get(message)) {
                switch (t) {
                    case E -> {
                        if (e == null) {
                            e = X25519.generate(random);
                        }
                        out.writeBytes(e.publicKey());
                        ss.mixHash(e.publicKey());
                        if (protocol.pattern().hasPsk()) {
                            ss.mixKey(e.publicKey());
                        }
                    }
                    case S -> out.writeBytes(ss.encryptAndHash(s.publicKey()));
                    case EE, ES, SE, SS -> mixDh(t);
                    case PSK -> mixPsk();
                    case E1 -> {
                        e1 = MlKem768.generate(random);
                        out.writeBytes(ss.encryptAndHash(e1.publicKey()));
                    }
                    case EKEM1 -> {
                        MlKem768.Encapsulated enc = MlKem768.encapsulate(re1, random);
                        out.writeBytes(ss.encryptAndHash(enc.ciphertext()));
                        ss.mixKey(enc.output());
                        Secrets.wipe(enc.output());
                    }
                }
            }
            out.writeBytes(ss.encryptAndHash(payload));
        } catch (NoiseException ex) {
            fail();
            throw new IllegalStateException("handshake failed while writing: " + ex.getMessage(), ex);
        }
        message++;
        return out.toByteArray();
    }

    /** ReadMessage(message): the payload, or {@link NoiseException} (and this handshake is over). */
    public byte[] readMessage(byte[] msg) throws NoiseException {
        if (failed || isComplete() || isMyTurn()) {
            throw new IllegalStateException("not this side's turn to read");
        }
        try {
            int at = 0;
            for (Token t : protocol.pattern().messages().get(message)) {
                switch (t) {
                    case E -> {
                        re = slice(msg, at, X25519.KEY_LENGTH);
                        at += re.length;
                        ss.mixHash(re);
                        if (protocol.pattern().hasPsk()) {
                            ss.mixKey(re);
                        }
                    }
                    case S -> {
                        byte[] c = slice(msg, at, X25519.KEY_LENGTH + tagIfKeyed());
                        at += c.length;
                        rs = ss.decryptAndHash(c);
                    }
                    case EE, ES, SE, SS -> mixDh(t);
                    case PSK -> mixPsk();
                    case E1 -> {
                        byte[] c = slice(msg, at, MlKem768.PUBLIC_KEY_LENGTH + tagIfKeyed());
                        at += c.length;
                        re1 = ss.decryptAndHash(c);
                        MlKem768.validate(re1);
                    }
                    case EKEM1 -> {
                        byte[] c = slice(msg, at, MlKem768.CIPHERTEXT_LENGTH + tagIfKeyed());
                        at += c.length;
                        byte[] output = MlKem768.decapsulate(e1, ss.decryptAndHash(c));
                        ss.mixKey(output);
                        Secrets.wipe(output);
                    }
                }
            }
            byte[] payload = ss.decryptAndHash(Arrays.copyOfRange(msg, at, msg.length));
            message++;
            return payload;
        } catch (NoiseException ex) {
            fail();
            throw ex;
        }
    }

    /** Split() once complete: {initiator→responder, responder→initiator} cipher states. */
    public CipherState[] split() {
        checkComplete();
        CipherState[] cs = ss.split();
        wipeEphemerals();
        return cs;
    }

    /** Split()'s raw keys once complete (for a data suite), initiator→responder first; the caller wipes them. */
    public byte[][] splitKeys() {
        checkComplete();
        byte[][] keys = ss.splitKeys();
        wipeEphemerals();
        return keys;
    }

    /** Abandons the handshake and wipes its secrets (the local static key belongs to the caller). */
    public void fail() {
        failed = true;
        ss.wipe();
        wipeEphemerals();
    }

    private void checkComplete() {
        if (!isComplete() || failed) {
            throw new IllegalStateException("the handshake is not complete");
        }
    }

    private int tagIfKeyed() {
        return ss.hasKey() ? NoiseCipher.TAG_LENGTH : 0;
    }

    private void mixDh(Token t) throws NoiseException {
        // es: the initiator's e with the responder's s; se: the initiator's s with the responder's e
        byte[] local;
        byte[] remote;
        switch (t) {
            case EE -> { local = e.privateKey(); remote = re; }
            case ES -> { local = initiator ? e.privateKey() : s.privateKey(); remote = initiator ? rs : re; }
            case SE -> { local = initiator ? s.privateKey() : e.privateKey(); remote = initiator ? re : rs; }
            default -> { local = s.privateKey(); remote = rs; }
        }
        if (remote == null) {
            throw new NoiseException("no remote key for " + t);
        }
        byte[] shared;
        try {
            shared = X25519.dh(local, remote);
        } catch (InvalidKeyException ex) {
            throw new NoiseException("X25519 with a bad public key", ex);
        }
        ss.mixKey(shared);
        Secrets.wipe(shared);
    }

    private void mixPsk() {
        if (psks.isEmpty()) {
            throw new IllegalStateException("no PSK given for the psk token");
        }
        byte[] psk = psks.removeFirst();
        ss.mixKeyAndHash(psk);
        Secrets.wipe(psk);
    }

    private void wipeEphemerals() {
        if (e != null) {
            e.wipe();
        }
        e1 = null; // the JDK's ML-KEM private key offers no wipe; dropping it is what we can do
        psks.forEach(Secrets::wipe);
        psks.clear();
    }

    private static byte[] slice(byte[] msg, int at, int length) throws NoiseException {
        if (msg.length - at < length) {
            throw new NoiseException("handshake message too short");
        }
        return Arrays.copyOfRange(msg, at, at + length);
    }
}
