/**
 * The anytun cluster-sync and control protocol (SYNC.md §1, §2): the records ({@link
 * org.janytun.sync.ConnectionRecord}, {@link org.janytun.sync.RouteRecord}, and janytun's {@link
 * org.janytun.sync.TableMarker}), the frame codec ({@link org.janytun.sync.SyncCodec}), which writes exactly the
 * reference's bytes and reads every variant it reads, and the stream reader ({@link
 * org.janytun.sync.SyncFrameReader}), which rejects bad frames with a reason instead of crashing.
 */
package org.janytun.sync;
