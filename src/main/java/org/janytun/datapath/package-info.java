/**
 * The packet path. {@link org.janytun.datapath.ReceiveStage} opens datagrams (network → device),
 * {@link org.janytun.datapath.SendStage} seals packets and fans them out to a connection's paths (device →
 * network); both are thread-free and allocation-free, and work on batches. A {@link
 * org.janytun.datapath.ThreadingPolicy} gives them threads ({@link org.janytun.datapath.AdaptiveThreads}: one thread
 * at low rates, two under load; {@link org.janytun.datapath.DedicatedThreads}: one per direction);
 * {@link org.janytun.datapath.Forwarder} puts them together. {@link org.janytun.datapath.DropCounter} is where it
 * reports what it drops.
 */
package org.janytun.datapath;
