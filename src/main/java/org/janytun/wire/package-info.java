/** The SATP packet layout: header fields, offsets, payload types. No crypto. */
package org.janytun.wire;
