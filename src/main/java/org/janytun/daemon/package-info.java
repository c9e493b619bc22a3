/** Wiring of the tunnel daemon: device, transport, sessions, cluster sync and control client, in start-up order. */
package org.janytun.daemon;
