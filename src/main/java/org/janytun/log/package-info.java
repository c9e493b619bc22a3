/**
 * Logging as anytun(8) does it, on SLF4J and Logback.
 *
 * <ul>
 *   <li>{@link org.janytun.log.LogTarget}: the {@code -L target:level[,params]} targets (syslog, file, stdout,
 *       stderr) and their parser.</li>
 *   <li>{@link org.janytun.log.LogSetup}: configures Logback in code from the targets, each with its own threshold.
 *       Until then {@link org.janytun.log.OffConfigurator} keeps everything off.</li>
 *   <li>{@link org.janytun.log.LogLevel}: anytun's levels 1..5 on SLF4J calls: {@code error}, {@code warn},
 *       {@code info} = NOTICE (anytun's default level), {@code debug} = INFO, {@code trace} = DEBUG.</li>
 *   <li>{@link org.janytun.log.NativeSyslogAppender}: the local syslog through libc's syslog(3) (FFM).</li>
 *   <li>{@link org.janytun.log.PacketDropLog}: per-packet drop counters with a periodic summary line per reason,
 *       instead of one log line per bad packet.</li>
 * </ul>
 */
package org.janytun.log;
