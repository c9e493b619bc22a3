/** The UDP boundary: sockets for SATP datagrams. */
package org.janytun.transport;
