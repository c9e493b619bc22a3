/** A connection's SATP state: sealing outgoing packets, opening incoming ones (auth, replay window, decrypt) with a drop reason instead of exceptions. */
package org.janytun.session;
