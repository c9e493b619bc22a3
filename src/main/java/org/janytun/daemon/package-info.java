/** Wiring of the tunnel daemon: device, transport and session, process life cycle (daemonize, pid file, signals, privileges). */
package org.janytun.daemon;
