/**
 * SATP sessions (docs/SATP-SESSIONS.md): the control datagrams on the reserved mux 0xFFFF (initiation,
 * response), their mac1/mac2, TAI64N timestamps, and the derivation of the AEAD data suite from a completed
 * handshake. Pure: no sockets, no clocks except where passed in; the daemon wires it to the data port.
 */
package org.janytun.keyx;
