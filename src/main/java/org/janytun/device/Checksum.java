package org.janytun.device;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) over heap arrays, for the IP, TCP and UDP headers that segmentation and
 * coalescing rewrite. Sums are kept unfolded in a {@code long} (the one's complement sum of 32-bit words folds to
 * the same 16-bit result as that of 16-bit words), so that pseudo header, header and payload can be added in any
 * order: about 8 bytes per step, ~0.1–0.2 µs for 1400 bytes.
 */
public final class Checksum {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private Checksum() {
    }

    /** Adds the big-endian 16-bit words of {@code b[off, off+len)} to {@code sum}; an odd last byte is padded with 0. */
    public static long add(byte[] b, int off, int len, long sum) {
        int i = off;
        int end = off + len;
        long s1 = 0;
        for (; i + 16 <= end; i += 16) {
            long v = (long) LONG.get(b, i);
            long w = (long) LONG.get(b, i + 8);
            sum += (v >>> 32) + (w >>> 32);
            s1 += (v & 0xFFFFFFFFL) + (w & 0xFFFFFFFFL);
        }
        sum += s1;
        if (i + 8 <= end) {
            long v = (long) LONG.get(b, i);
            sum += (v >>> 32) + (v & 0xFFFFFFFFL);
            i += 8;
        }
        if (i + 4 <= end) {
            sum += (int) INT.get(b, i) & 0xFFFFFFFFL;
            i += 4;
        }
        if (i + 2 <= end) {
            sum += (short) SHORT.get(b, i) & 0xFFFF;
            i += 2;
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds an unfolded sum to 16 bits (not complemented). */
    public static int fold(long sum) {
        sum = (sum & 0xFFFFFFFFL) + (sum >>> 32);
        sum = (sum & 0xFFFFFFFFL) + (sum >>> 32);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return (int) sum;
    }

    /** The checksum field value for {@code sum}: the complement of the folded sum. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * The pseudo header sum of an IPv4 ({@code version 4}: addresses at 12..19) or IPv6 (addresses at 8..39) packet
     * starting at {@code ip}, for an upper-layer segment of {@code l4Length} bytes and protocol {@code proto}.
     */
    public static long pseudoHeader(byte[] b, int ip, int version, int proto, int l4Length) {
        long sum = version == 4 ? add(b, ip + 12, 8, 0) : add(b, ip + 8, 32, 0);
        return sum + proto + l4Length;
    }

    /** Recomputes an IPv4 header checksum in place (header of {@code ihl} bytes at {@code ip}). */
    public static void fixIpv4Header(byte[] b, int ip, int ihl) {
        SHORT.set(b, ip + 10, (short) 0);
        SHORT.set(b, ip + 10, (short) finish(add(b, ip, ihl, 0)));
    }

    static int getShort(byte[] b, int off) {
        return (short) SHORT.get(b, off) & 0xFFFF;
    }

    static void putShort(byte[] b, int off, int v) {
        SHORT.set(b, off, (short) v);
    }

    static int getInt(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    static void putInt(byte[] b, int off, int v) {
        INT.set(b, off, v);
    }
}
