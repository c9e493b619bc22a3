/**
 * The control plane of a multi-client server: the client of {@code -X} that takes connections and routes from a
 * control daemon (ours or anytun-controld), and the control daemon itself.
 */
package org.janytun.control;
