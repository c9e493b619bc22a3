package org.janytun.device;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) over heap arrays, for the IP, TCP and UDP headers that segmentation and
 * coalescing rewrite. Sums are kept unfolded in a {@code long} (the one's complement sum of 32-bit words folds to
 * the same 16-bit result as that of 16-bit words), so that pseudo header, header and payload can be added in any
 * order: ~0.13 µs for 1400 bytes.
 */
public final class Checksum {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private Checksum() {
    }

    /**
     * Adds the big-endian 16-bit words of {@code b[off, off+len)} to {@code sum}; an odd last byte is padded with 0.
     * The bulk is summed in native (little-endian) order, 32 bytes a step in four accumulators, and byte-swapped once
     * at the end: the one's complement sum of byte-swapped words is the byte-swapped sum. ~130 ns for 1400 bytes.
     */
    public static long add(byte[] b, int off, int len, long sum) {
        int i = off;
        int end = off + len;
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        for (; i + 32 <= end; i += 32) {
            long v0 = (long) LONG_LE.get(b, i);
            long v1 = (long) LONG_LE.get(b, i + 8);
            long v2 = (long) LONG_LE.get(b, i + 16);
            long v3 = (long) LONG_LE.get(b, i + 24);
            s0 += (v0 >>> 32) + (v0 & 0xFFFFFFFFL);
            s1 += (v1 >>> 32) + (v1 & 0xFFFFFFFFL);
            s2 += (v2 >>> 32) + (v2 & 0xFFFFFFFFL);
            s3 += (v3 >>> 32) + (v3 & 0xFFFFFFFFL);
        }
        for (; i + 8 <= end; i += 8) {
            long v = (long) LONG_LE.get(b, i);
            s0 += (v >>> 32) + (v & 0xFFFFFFFFL);
        }
        int le = fold(s0 + s1 + s2 + s3);
        sum += ((le & 0xFF) << 8) | (le >>> 8);
        for (; i + 2 <= end; i += 2) {
            sum += (short) SHORT.get(b, i) & 0xFFFF;
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
