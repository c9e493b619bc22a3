package org.janytun.wire;

/** The 16-bit payload type in front of every inner packet (SPEC §3.1): EtherType values. */
public final class PayloadType {
    private PayloadType() {}

    public static final int IPV4 = 0x0800;
    public static final int IPV6 = 0x86DD;
    /** Transparent Ethernet Bridging: every tap frame, whatever it carries. */
    public static final int ETHERNET = 0x6558;
    /** "Unknown": what a keepalive (an empty payload) carries; no receiver reads it. */
    public static final int NONE = 0x0000;

    /** The type of a tun packet from its IP version nibble, or -1 for anything that is not IPv4/IPv6. */
    public static int ofIpPacket(byte firstByte) {
        return switch ((firstByte >> 4) & 0xF) {
            case 4 -> IPV4;
            case 6 -> IPV6;
            default -> -1;
        };
    }
}
