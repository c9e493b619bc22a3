/** Thin FFM bindings to the C library (Linux): file descriptors, ioctl, privileges, chroot, sessions, namespaces. */
package org.janytun.os;
