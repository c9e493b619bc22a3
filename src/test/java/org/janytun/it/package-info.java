/**
 * Integration tests in network namespaces: jAnytun against Debian's {@code uanytun} 0.3.7 and {@code anytun}
 * 0.3.8, and the harness they run on. Needs root, {@code /dev/net/tun}, iproute2, iputils-ping, procps,
 * net-tools ({@code /sbin/ifconfig}, which the reference daemons run for {@code -n}) and the two daemons; a
 * missing prerequisite FAILS the tests (see {@link org.janytun.it.Preflight}).
 *
 * <h2>Harness</h2>
 * <ul>
 *   <li>{@link org.janytun.it.Netns} - a uniquely named namespace ({@code jt<random>}); {@link org.janytun.it.VethLink}
 *       - a veth pair with addresses from 10.201.N.0/24 and fd21:N::/64 (IPv6 with {@code nodad});
 *       {@link org.janytun.it.TestNet} - namespaces A and B (link 1) and C (link 2, to B).</li>
 *   <li>{@link org.janytun.it.EndpointSpec} - the anytun(8) command line of one end; {@link org.janytun.it.Kind} -
 *       which program runs it; {@link org.janytun.it.TunnelEnd} - the running end (start, awaitReady, close).</li>
 *   <li>{@link org.janytun.it.Traffic} - ping with retries, neighbour (ARP) entries, a 10 MB TCP transfer with
 *       SHA-256 ({@link org.janytun.it.tools.TcpBlast}); {@link org.janytun.it.ReplayProbe} - captures SATP datagrams
 *       with a user-space relay ({@link org.janytun.it.tools.UdpRelay}) and replays one from namespace C
 *       ({@link org.janytun.it.tools.UdpSend}).</li>
 *   <li>{@link org.janytun.it.PingStream} - a timestamped background ping stream that places losses and gaps in
 *       time; {@link org.janytun.it.Traffic.PacedTransfer} - a paced TCP transfer that stays in flight while the
 *       network changes under it; {@link org.janytun.it.tools.SyncPeek} - reads a cluster node's sync dump. Used by
 *       {@code ClusterIT} (an anycast cluster of anytun and janytun nodes whose route moves from node to node;
 *       its loss and replay table is written to {@code target/it-logs/ClusterIT/report.txt}).</li>
 *   <li>{@link org.janytun.it.Exec} and {@link org.janytun.it.ManagedProcess} - bounded command runs and background
 *       processes with log files; {@link org.janytun.it.Reaper} - shutdown hook that kills recorded PIDs and deletes
 *       recorded namespaces if the normal cleanup was not reached.</li>
 * </ul>
 *
 * <h2>Cases</h2>
 * {@link org.janytun.it.Scenarios} is the catalogue of tunnel configurations, {@link org.janytun.it.Matrix} decides
 * which program pairings run them, and {@link org.janytun.it.CaseRunner} lays out, starts and checks one
 * {@link org.janytun.it.TunnelCase}. To add a case, add a {@link org.janytun.it.Scenario} to
 * {@code Scenarios.INTEROP} (options with {@code both/left/right}, layout and checks with
 * {@link org.janytun.it.Scenario.Feature}s); {@code InteropIT} and {@code ReferencePairIT} pick it up.
 * Logs of every case are kept in {@code target/it-logs/<test class>/<NNN-case>/}.
 */
package org.janytun.it;
