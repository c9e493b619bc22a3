package org.janytun.session;

import java.util.concurrent.atomic.AtomicInteger;
import org.janytun.crypto.PacketProtection;
import org.janytun.crypto.Role;
import org.janytun.crypto.Suite;
import org.janytun.crypto.ThreadEngines;
import org.janytun.wire.DeviceType;
import org.janytun.wire.PayloadType;
import org.janytun.wire.SatpLayout;

/**
 * One SATP connection without I/O: seals inner packets into datagrams and opens datagrams into inner packets.
 * Hostile input never throws: {@link #seal} and {@link #open} report a {@link DropReason} in their
 * {@link PacketResult} instead. The suite is behind {@link Suite}/{@link PacketProtection}: the session frames,
 * numbers, checks the replay window and the payload type; the suite protects.
 *
 * <p>Threading: {@link #seal} is for one sending thread and {@link #open} for one receiving thread; they share
 * only the atomic sequence counter. Neither allocates per packet. The session holds its suite's keys, not crypto
 * engines: each call borrows the calling thread's engine ({@link ThreadEngines}), bound to this session's suite.
 */
public final class SatpSession {
    private final Suite suite;
    private final Role localRole;
    private final Role peerRole;
    private final int senderId;
    private final int mux;
    private final DeviceType deviceType;
    private final int tagLength;
    private final int maxInnerLength;
    private final ReplayProtection replay;
    private final AtomicInteger nextSeq;
    /** Null: every number may be used (tests, tools); set once before the session sends its first packet. */
    private volatile SendLease lease;
    /** SATP sessions: the key phase in the top 2 bits of every seq under this key pair; −1: any (legacy). */
    private volatile int keyPhase = -1;

    public SatpSession(Suite suite, Role localRole, int senderId, int mux, DeviceType deviceType,
                       long windowSize) {
        this(suite, localRole, senderId, mux, deviceType, windowSize, new AtomicInteger(), null);
    }

    private SatpSession(Suite suite, Role localRole, int senderId, int mux, DeviceType deviceType, long windowSize,
                        AtomicInteger nextSeq, SendLease lease) {
        this.nextSeq = nextSeq;
        this.lease = lease;
        this.suite = suite;
        this.localRole = localRole;
        this.peerRole = localRole.peer();
        this.senderId = senderId & 0xFFFF;
        this.mux = mux & 0xFFFF;
        this.deviceType = deviceType;
        this.tagLength = suite.tagLength();
        this.maxInnerLength = SatpLayout.maxInnerLength(tagLength);
        this.replay = new ReplayProtection(windowSize);
    }

    /** The algorithms and keys this session uses. */
    public Suite suite() {
        return suite;
    }

    public DeviceType deviceType() {
        return deviceType;
    }

    public int mux() {
        return mux;
    }

    public int tagLength() {
        return tagLength;
    }

    /** The largest inner packet that fits one datagram (1600 bytes with header and tag). */
    public int maxInnerLength() {
        return maxInnerLength;
    }

    /** Restarts the outgoing sequence at {@code seq} (tests; a restarted peer starts at 0). */
    public void setNextSeq(int seq) {
        nextSeq.set(seq);
    }

    /** The sequence number the next sealed packet gets (the counter a cluster peer is told). */
    public int nextSeq() {
        return nextSeq.get();
    }

    /**
     * Moves the outgoing sequence forward to {@code seq} if it is ahead of ours (unsigned), never back: a cluster
     * peer's counter may be ahead when it shares our sender id, and going back would make the client drop our
     * packets as replays (the reference overwrites its counter, SYNC.md §6.3).
     */
    public void advanceSeqTo(int seq) {
        int now = nextSeq.accumulateAndGet(seq, (cur, s) -> Integer.compareUnsigned(s, cur) > 0 ? s : cur);
        SendLease l = lease;
        if (l != null) {
            l.permits(now); // a jump past the half of the block asks for the next one now, not at the next packet
        }
    }

    /**
     * From now on, seal only numbers {@code lease} permits. Called before the session is handed to a sending
     * thread; the lease's keeper moves the counter past what earlier runs reserved first.
     */
    public void useLease(SendLease lease) {
        this.lease = lease;
    }

    /**
     * The same connection under another key: a fresh replay window (the peer's packets under the new key are new),
     * but this session's sequence counter and lease, shared, so that the two, while both may send during a key
     * rotation, never use the same number and stay within what is reserved on disk.
     */
    public SatpSession rekeyed(Suite newSuite) {
        return new SatpSession(newSuite, localRole, senderId, mux, deviceType, replay.windowSize(), nextSeq, lease);
    }

    /**
     * SATP sessions (docs/SATP-SESSIONS.md §6.1): this key pair's datagrams carry {@code phase} (0..3) in the top
     * 2 bits of seq; set before the session is published.
     */
    public void restrictToPhase(int phase) {
        if (phase < 0 || phase > 3) {
            throw new IllegalArgumentException("key phase " + phase);
        }
        keyPhase = phase;
    }

    /** A key pair of an SATP session's handshake (it has a key phase), not a static key. */
    public boolean keyExchanged() {
        return keyPhase >= 0;
    }

    /** Whether a datagram with sequence number {@code seq} may be under this key: its phase, or any (legacy). */
    public boolean mayHold(int seq) {
        int p = keyPhase;
        return p < 0 || seq >>> 30 == p;
    }

    /** The lease this session seals under, or null. */
    public SendLease lease() {
        return lease;
    }

    public Role localRole() {
        return localRole;
    }

    public int senderId() {
        return senderId;
    }

    /** The sender ids this session has accepted packets from (show). */
    public int[] senderIdsSeen() {
        return replay.senderIds();
    }

    /** The replay window size ({@code -w}); 0 means no replay protection. */
    public long windowSize() {
        return replay.windowSize();
    }

    /**
     * Turns the inner packet at {@code buf[INNER_OFFSET, INNER_OFFSET + innerLength)} into a datagram in place,
     * taking the next sequence number. {@code buf} needs room for the tag after the packet.
     *
     * @return whether the datagram is ready, {@code out.datagramLength()} bytes at 0; {@code out} says why not
     */
    public boolean seal(byte[] buf, int innerLength, PacketResult out) {
        out.innerOffset = SatpLayout.INNER_OFFSET;
        out.innerLength = innerLength;
        out.datagramLength = 0;
        int type = payloadTypeFor(buf, innerLength);
        if (type < 0) {
            return drop(out, DropReason.NOT_IP);
        }
        if (innerLength > maxInnerLength) {
            return drop(out, DropReason.INNER_TOO_LONG);
        }
        return sealWith(buf, innerLength, type, out);
    }

    /**
     * A keepalive ({@code --keepalive}): an authentic datagram with an empty payload (only the payload type 0x0000,
     * as docs/SATP-SESSIONS.md §5.2 defines it), with the next sequence number. anytun drops it without a word (SPEC §9.2, step 8), after it has moved the remote
     * endpoint to its source; uanytun does the same but logs a warning for each ("ignoring packet with zero length
     * payload", §9.1); janytun counts it as a keepalive. No device anywhere sees it.
     */
    public boolean sealKeepalive(byte[] buf, PacketResult out) {
        out.innerOffset = SatpLayout.INNER_OFFSET;
        out.innerLength = 0;
        out.datagramLength = 0;
        return sealWith(buf, 0, PayloadType.NONE, out);
    }

    private boolean sealWith(byte[] buf, int innerLength, int type, PacketResult out) {
        SendLease l = lease;
        if (l == null) {
            out.seq = nextSeq.getAndIncrement();
        } else {
            // check then take, as one step: a number is only ever taken when the lease covers it (and the counter
            // never steps past the end, where it would wrap to numbers used before)
            int seq;
            do {
                seq = nextSeq.get();
                if (!l.permits(seq)) {
                    return drop(out, l.refusal(seq));
                }
            } while (!nextSeq.compareAndSet(seq, seq + 1));
            out.seq = seq;
        }
        out.senderId = senderId;
        out.mux = mux;
        out.payloadType = type;
        out.datagramLength = sealAs(buf, innerLength, type, out.seq);
        out.drop = null;
        return true;
    }

    /** Seals with a given payload type and sequence number: for tests and for replaying vectors. */
    public int sealAs(byte[] buf, int innerLength, int payloadType, int seq) {
        SatpLayout.writeHeader(buf, seq, senderId, mux);
        SatpLayout.writePayloadType(buf, payloadType);
        return ThreadEngines.sealing(suite).seal(localRole, buf, SatpLayout.INNER_OFFSET + innerLength);
    }

    private int payloadTypeFor(byte[] buf, int innerLength) {
        if (deviceType == DeviceType.TAP) {
            return PayloadType.ETHERNET;
        }
        return innerLength > 0 ? PayloadType.ofIpPacket(buf[SatpLayout.INNER_OFFSET]) : -1;
    }

    /**
     * Checks and decrypts the datagram in {@code buf[0, length)} in place, in the order of SPEC §9: size, mux,
     * tag, sequence window, then payload. On delivery the inner packet is at
     * {@code out.innerOffset()}, {@code out.innerLength()} bytes.
     *
     * @return whether the inner packet is to be written to the device; {@code out} says why not otherwise
     */
    public boolean open(byte[] buf, int length, PacketResult out) {
        out.innerOffset = SatpLayout.INNER_OFFSET;
        out.innerLength = 0;
        out.newest = false;
        out.datagramLength = length;
        if (length < SatpLayout.HEADER_LENGTH + tagLength) {
            return drop(out, DropReason.TOO_SHORT);
        }
        if (length > SatpLayout.MAX_DATAGRAM || length > buf.length) {
            return drop(out, DropReason.OVERSIZE);
        }
        out.seq = SatpLayout.seq(buf);
        out.senderId = SatpLayout.senderId(buf);
        out.mux = SatpLayout.mux(buf);
        if (out.mux != mux) {
            return drop(out, DropReason.WRONG_MUX);
        }
        PacketProtection crypto = ThreadEngines.opening(suite); // bound to this suite until decrypt below
        if (!crypto.authenticate(peerRole, buf, length)) {
            return drop(out, DropReason.BAD_TAG);
        }
        if (!replay.accept(out.senderId, out.seq)) {
            return drop(out, DropReason.REPLAYED);
        }
        out.newest = replay.newest();
        int end = length - tagLength;
        if (end - SatpLayout.HEADER_LENGTH <= SatpLayout.PAYLOAD_TYPE_LENGTH) {
            return drop(out, DropReason.EMPTY_PAYLOAD);
        }
        crypto.decrypt(peerRole, buf, end);
        out.payloadType = SatpLayout.payloadType(buf);
        if (!payloadTypeFits(out.payloadType)) {
            return drop(out, DropReason.WRONG_PAYLOAD_TYPE);
        }
        out.innerLength = end - SatpLayout.INNER_OFFSET;
        out.drop = null;
        return true;
    }

    private boolean payloadTypeFits(int type) {
        return deviceType == DeviceType.TAP
                ? type == PayloadType.ETHERNET
                : type == PayloadType.IPV4 || type == PayloadType.IPV6;
    }

    private static boolean drop(PacketResult out, DropReason reason) {
        out.drop = reason;
        return false;
    }
}
