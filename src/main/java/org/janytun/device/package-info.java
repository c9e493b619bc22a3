/** The tun/tap boundary: the {@link org.janytun.device.TunDevice} interface and its Linux implementation (FFM). */
package org.janytun.device;
