package org.janytun.session;

/**
 * Why a packet was not delivered. Every drop has one; the daemon counts them and logs them at a limited rate.
 * Receive-side reasons follow the order of the checks in {@link SatpSession#open}.
 */
public enum DropReason {
    // receive side, before authentication
    TOO_SHORT("datagram shorter than header and tag", false),
    OVERSIZE("datagram longer than 1600 bytes", false),
    WRONG_MUX("no connection for this mux", false),
    /** An SATP-session control datagram (mux 0xFFFF) that found the handshake queue full. */
    CONTROL_QUEUE_FULL("handshake queue full: control datagram dropped", false),
    BAD_TAG("wrong authentication tag", false),
    REPLAYED("replayed or too old for the sequence window", false),
    /** RAIL: an authentic copy of a packet that came in on another link first (expected, never logged). */
    RAIL_DUPLICATE("copy of a packet already received on another link", false),
    // receive side, authentic packets (they may move the remote endpoint)
    EMPTY_PAYLOAD("authentic packet with empty payload", true),
    WRONG_PAYLOAD_TYPE("payload type does not fit the device", true),
    // send side
    INNER_TOO_LONG("inner packet too long for a 1600-byte datagram", false),
    NOT_IP("tun packet that is neither IPv4 nor IPv6", false),
    NO_REMOTE("no remote endpoint known yet", false),
    /** SATP sessions: no usable key pair yet (a handshake is started). */
    NO_KEY("no session key yet: handshake under way", false),
    NO_CONNECTION("no connection configured yet", false),
    NO_ROUTE("no route to the inner destination", false),
    SEND_FAILED("the socket refused the datagram", false),
    SEQ_LEASE_PENDING("waiting for the next block of sequence numbers to be written to the state directory", false),
    SEQ_EXHAUSTED("sequence numbers used up: change the key and the state directory", false),
    DEVICE_WRITE_FAILED("the device refused the packet", false);

    private final String description;
    private final boolean authentic;

    DropReason(String description, boolean authentic) {
        this.description = description;
        this.authentic = authentic;
    }

    public String description() {
        return description;
    }

    /** True when the packet passed the tag and the sequence window: its source may become the remote endpoint. */
    public boolean authentic() {
        return authentic;
    }
}
