/**
 * The sequence lease: the outgoing sequence counter of each connection, reserved in blocks that are written and
 * synced to the state directory before any number in them is used ({@link org.janytun.lease.LeaseFile}), and the
 * background thread that reserves the next block while the current one is still half full
 * ({@link org.janytun.lease.LeaseKeeper}). A restart, also after {@code kill -9}, starts past everything reserved
 * before, so no keystream is ever repeated under one key.
 */
package org.janytun.lease;
