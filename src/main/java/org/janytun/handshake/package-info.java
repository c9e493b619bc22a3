/**
 * SATP sessions in the daemon (docs/SATP-SESSIONS.md §3–§6): the bounded queue between the data path and the
 * handshake thread, and the thread itself, which answers and starts handshakes with the pure {@code keyx} core,
 * installs the resulting key pairs into the peer's {@link org.janytun.connection.Connection}, and runs the timers
 * (re-key by time and count, retries with jitter, expiry and wiping of old pairs).
 */
package org.janytun.handshake;
