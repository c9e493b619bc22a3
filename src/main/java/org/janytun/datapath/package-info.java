/**
 * The packet path: {@link org.janytun.datapath.Forwarder} moves packets between the device and the UDP transport
 * through the connections' sessions, one platform thread per direction (one at low rates), batch-first and
 * allocation-free; {@link org.janytun.datapath.DropCounter} is where it reports what it drops.
 */
package org.janytun.datapath;
