/**
 * The life of a daemon process, shared by janytun and janytun-controld: detaching with a start-up report
 * ({@link org.janytun.process.Daemonizer}), the pid file, signal handling and the start/run/stop sequence
 * ({@link org.janytun.process.Lifecycle}).
 */
package org.janytun.process;
