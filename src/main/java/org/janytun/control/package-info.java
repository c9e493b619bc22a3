/**
 * The control plane of a multi-client server: the control daemon ({@code janytun-controld}: serves a table of
 * connection and route records to every daemon that connects, and pushes it again on SIGHUP) and the {@code -X}
 * client in the tunnel daemon that takes those tables from it or from anytun-controld.
 */
package org.janytun.control;
