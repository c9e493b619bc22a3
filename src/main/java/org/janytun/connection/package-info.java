/**
 * The connections of one daemon, one per mux (SPEC §12): each with its own keys, sequence counter, replay windows
 * and learned endpoint, and the choice of connection for an outgoing packet (a single tunnel, or routing by the
 * inner destination).
 */
package org.janytun.connection;
