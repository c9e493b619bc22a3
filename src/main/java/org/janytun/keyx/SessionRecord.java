package org.janytun.keyx;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.janytun.crypto.AeadAlgorithm;

/**
 * One session key pair as the nodes of an anycast cluster share it (docs/SATP-SESSIONS.md §7), and its binary
 * form of {@value #LENGTH} bytes, version {@value #VERSION}. It carries keys: it may travel only over the
 * protected sync, never over anytun's plain one. {@code toString} shows no secret.
 *
 * @param created           TAI64N of the handshake's initiation
 * @param greatestTimestamp the greatest initiation timestamp accepted from the peer (replay protection)
 */
public record SessionRecord(byte[] peerStatic, int localIndex, int remoteIndex, int keyPhase, boolean initiator,
                            boolean confirmed, byte[] created, KeyMaterial keys, byte[] greatestTimestamp, int mux) {
    public static final int VERSION = 1;
    public static final int LENGTH = 190;

    public SessionRecord {
        if (peerStatic.length != 32 || created.length != Tai64n.LENGTH || greatestTimestamp.length != Tai64n.LENGTH
                || keyPhase < 0 || keyPhase > 3 || mux < 0 || mux > 0xFFFE) {
            throw new IllegalArgumentException("not a valid session record");
        }
        peerStatic = peerStatic.clone();
        created = created.clone();
        greatestTimestamp = greatestTimestamp.clone();
    }

    /** The record of a handshake this node just completed. */
    public static SessionRecord of(SessionHandshake.Established e, boolean confirmed, byte[] greatestTimestamp) {
        return new SessionRecord(e.peerStatic(), e.localIndex(), e.remoteIndex(), e.keyPhase(), e.initiator(),
                confirmed, e.timestamp(), e.keys(), greatestTimestamp, e.mux());
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.put((byte) VERSION).put(peerStatic).putInt(localIndex).putInt(remoteIndex).put((byte) keyPhase)
                .put((byte) ((initiator ? 1 : 0) | (confirmed ? 2 : 0)))
                .put((byte) (keys.algorithm() == AeadAlgorithm.AES_256_GCM ? 1 : 2))
                .put(created).put(keys.keyI2r()).put(keys.ivI2r()).put(keys.keyR2i()).put(keys.ivR2i())
                .put(keys.rekeyKey()).put(greatestTimestamp).putShort((short) mux);
        return b.array();
    }

    /** Parses a record; {@link IllegalArgumentException} (naming the field, never a value) for anything else. */
    public static SessionRecord decode(byte[] data) {
        if (data.length != LENGTH) {
            throw new IllegalArgumentException("a session record has " + LENGTH + " bytes, not " + data.length);
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        if (b.get() != VERSION) {
            throw new IllegalArgumentException("unknown session record version");
        }
        byte[] peer = take(b, 32);
        int local = b.getInt();
        int remote = b.getInt();
        int phase = b.get();
        int flags = b.get();
        if (phase < 0 || phase > 3 || (flags & ~3) != 0) {
            throw new IllegalArgumentException("session record: bad key phase or flags");
        }
        AeadAlgorithm algorithm = switch (b.get()) {
            case 1 -> AeadAlgorithm.AES_256_GCM;
            case 2 -> AeadAlgorithm.CHACHA20_POLY1305;
            default -> throw new IllegalArgumentException("session record: unknown algorithm");
        };
        byte[] created = take(b, Tai64n.LENGTH);
        KeyMaterial keys = new KeyMaterial(algorithm, take(b, 32), take(b, 12), take(b, 32), take(b, 12), take(b, 32));
        byte[] greatest = take(b, Tai64n.LENGTH);
        int mux = Short.toUnsignedInt(b.getShort());
        if (mux == ControlDatagram.MUX) {
            throw new IllegalArgumentException("session record: the reserved mux");
        }
        return new SessionRecord(peer, local, remote, phase, (flags & 1) != 0, (flags & 2) != 0, created, keys,
                greatest, mux);
    }

    private static byte[] take(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionRecord r && Arrays.equals(r.peerStatic, peerStatic) && r.localIndex == localIndex
                && r.remoteIndex == remoteIndex && r.keyPhase == keyPhase && r.initiator == initiator
                && r.confirmed == confirmed && Arrays.equals(r.created, created) && r.keys.equals(keys)
                && Arrays.equals(r.greatestTimestamp, greatestTimestamp) && r.mux == mux;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(peerStatic) * 31 + localIndex;
    }

    @Override
    public String toString() {
        return "session of peer " + HexFormat.of().formatHex(peerStatic, 0, 8) + "…, mux " + mux + ", phase "
                + keyPhase + ", " + keys.algorithm().optionName() + (confirmed ? ", confirmed" : ", unconfirmed");
    }
}
