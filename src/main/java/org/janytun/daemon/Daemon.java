package org.janytun.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.janytun.address.InetText;
import org.janytun.config.ProgramName;
import org.janytun.config.TunnelSettings;
import org.janytun.connection.Connection;
import org.janytun.config.RailSettings;
import org.janytun.connection.ConnectionTable;
import org.janytun.connection.ConnectionRegistry;
import org.janytun.datapath.Forwarder;
import org.janytun.handshake.PeerTable;
import org.janytun.handshake.SessionEndpoint;
import org.janytun.config.SessionSettings;
import org.janytun.config.Secret;
import org.janytun.process.Daemonizer;
import org.janytun.process.Lifecycle;
import org.janytun.process.PidFile;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.TableDrop;
import org.janytun.syncio.SyncClient;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.wire.DeviceType;
import org.janytun.address.HostPort;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import org.janytun.crypto.CryptoSuite;
import org.janytun.device.InterfaceConfigurator;
import org.janytun.device.LinuxTunDevice;
import org.janytun.ctl.CtlException;
import org.janytun.ctl.CtlServer;
import java.util.function.Supplier;
import org.janytun.lease.LeaseKeeper;
import org.janytun.metrics.MetricsEndpoint;
import org.janytun.log.PacketDropLog;
import org.janytun.os.Privileges;
import org.janytun.session.DropReason;
import org.janytun.session.SatpSession;
import org.janytun.transport.Transport;
import org.janytun.transport.LinkAddress;
import org.janytun.transport.UdpSocket;
import org.janytun.warmup.JitWarmup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The point-to-point tunnel daemon: opens and configures the device, binds the sockets, runs the post-up script,
 * writes the pid file, enters the chroot and drops privileges (in that order, so that only the set-up runs as
 * root), then forwards packets until SIGTERM or SIGINT.
 */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger("janytun");
    private static final Duration DROP_REPORT_INTERVAL = Duration.ofSeconds(10);
    private static final Duration RESOLVE_RETRY = Duration.ofSeconds(10);

    private final TunnelSettings settings;
    /** The named network namespace janytun runs in (empty: the host's): it scopes the default state and socket paths. */
    private final Optional<String> netns = org.janytun.os.NetNamespace.currentName();
    private final CryptoSuite suite;
    private Lifecycle lifecycle;
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("janytun-housekeeping").daemon().unstarted(r));
    private LinuxTunDevice device;
    private Transport transport;
    private Forwarder forwarder;
    private Connection connection;
    private ConnectionRegistry registry;
    private SyncClient controlClient;
    private ClusterSync cluster;
    private PidFile pidFile;
    private PacketDropLog<DropReason> drops;
    private LeaseKeeper leases;
    private CtlServer control;
    private MetricsEndpoint metrics;
    /** The handshake thread of SATP sessions (a tunnel's one peer, or a server's many); null for static keys. */
    private SessionEndpoint sessions;

    private final boolean background;
    /** Reads the configuration again (the same command line, the {@code --config} file as it is now). */
    private final Supplier<TunnelSettings> reread;
    /** The settings of the last reload (or the start) and the local connection's suite under them. */
    private TunnelSettings applied;
    private CryptoSuite appliedSuite;
    /** The SATP-session options' digest at start (their keys are wiped then), or null without. */
    private byte[] sessionFingerprint;

    private Daemon(TunnelSettings settings, CryptoSuite suite, boolean background, Supplier<TunnelSettings> reread) {
        this.settings = settings;
        this.suite = suite;
        this.background = background;
        this.reread = reread;
        this.applied = settings;
        this.appliedSuite = suite;
    }

    /**
     * Runs the tunnel until it is told to stop.
     *
     * @param suite      the command line's crypto suite for the local connection; null for a server that takes
     *                   every connection from its control host ({@code -X} without {@code -r})
     * @param background whether this is the detached copy started by {@link Daemonizer}, which reports readiness
     * @param reread     reads the configuration again for a reload (SIGHUP, {@code janytun-ctl reload}); throws
     *                   {@link IllegalArgumentException} with the one-line reason when it is not valid
     * @return the process exit status
     */
    public static int run(TunnelSettings settings, CryptoSuite suite, boolean background,
                          Supplier<TunnelSettings> reread) {
        Daemon d = new Daemon(settings, suite, background, reread);
        d.lifecycle = new Lifecycle(d.service(), log);
        return d.lifecycle.run(ProgramName.janytun(), settings.logTargets(), background, Map.of(
                "HUP", d::reloadOnSignal,
                "USR1", d::logCounters));
    }

    /** SIGHUP: as {@code janytun-ctl reload}, with the outcome in the log. */
    private void reloadOnSignal() {
        log.info("SIGHUP received: reloading the configuration");
        try {
            reload();
        } catch (CtlException e) {
            // reload() said why
        }
    }

    /**
     * Re-reads the configuration and applies what can change while the tunnel runs ({@link ReloadPlan}): all or
     * nothing, so a configuration that does not parse, or a remote that does not resolve, changes nothing.
     */
    private synchronized ReloadPlan reload() throws CtlException {
        try {
            return reloadOrRefuse();
        } catch (CtlException e) {
            log.error("configuration not reloaded, nothing changed: {}", e.getMessage());
            throw e;
        }
    }

    private ReloadPlan reloadOrRefuse() throws CtlException {
        if (forwarder == null) {
            throw new CtlException(CtlException.EBUSY, "still starting");
        }
        TunnelSettings next;
        CryptoSuite nextSuite = null;
        try {
            next = reread.get();
            try {
                if (next.session().isEmpty() && (next.controlHost().isEmpty() || next.remoteHost().isPresent())) {
                    nextSuite = org.janytun.config.SuiteFromSettings.build(next);
                }
            } finally {
                // the suite holds what it needs: the re-read secrets are wiped (best effort, as at start)
                next.masterKey().ifPresent(Secret::destroy);
                next.masterSalt().ifPresent(Secret::destroy);
                next.passphrase().ifPresent(Secret::destroy);
            }
        } catch (org.janytun.crypto.SuiteException e) {
            throw new CtlException(CtlException.EINVAL, e.input().name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '-') + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CtlException(CtlException.EINVAL, e.getMessage());
        }
        byte[] nextFingerprint = next.session().map(SessionSettings::fingerprint).orElse(null);
        boolean sessionChanged = !java.util.Arrays.equals(sessionFingerprint, nextFingerprint);
        ReloadPlan plan = ReloadPlan.between(settings, applied, appliedSuite, next, nextSuite, registry != null,
                sessionChanged);
        try {
            if (!sessionChanged && next.session().isPresent() && next.session().get().server()) {
                plan = plan.withPeers(sessions.applyPeers(next.session().get().peers()));
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CtlException(CtlException.EINVAL, "--peers: " + e.getMessage());
        } finally {
            next.session().ifPresent(SessionSettings::destroySecrets); // the peers have copies of what they need
        }
        InetSocketAddress remote = null;
        if (plan.remote()) {
            try {
                remote = new InetSocketAddress(next.addressFamily().resolve(next.remoteHost().get()), next.remotePort());
            } catch (UnknownHostException e) {
                throw new CtlException(CtlException.EINVAL, "-r/--remote-host " + next.remoteHost().get()
                        + " does not resolve: nothing changed");
            }
        }
        if (plan.key() && connection != null) {
            connection.rotate(connection.session().rekeyed(nextSuite), "reload",
                    Duration.ofSeconds(DaemonControl.DEFAULT_GRACE_SECONDS));
            appliedSuite = nextSuite;
            keyChanged(connection.mux());
        }
        if (remote != null && connection != null) {
            connection.setRemote(remote);
        }
        if (plan.routes() && registry != null) {
            registry.setLocalRoutes(next.routes(), settings.mux());
        }
        if (plan.keepalive()) {
            forwarder.keepalive(Duration.ofSeconds(next.operator().keepaliveSeconds()));
        }
        applied = next;
        log.info("configuration reloaded: {} applied{}", plan.applied(), plan.needRestart().isEmpty() ? ""
                : "; changed, but kept as they are until a restart: " + String.join(", ", plan.needRestart()));
        return plan;
    }

    /** Connection {@code mux} has a new key: peers on our sync port are told (it reaches every janytun node). */
    private void keyChanged(int mux) {
        if (registry == null) {
            return;
        }
        var record = registry.rekeyed(mux);
        if (cluster != null && record != null) {
            cluster.announce(List.of(record));
        }
    }

    /** SIGUSR1: the data path's counters, the device's read drops and each connection's counters. */
    private void logCounters() {
        Forwarder f = forwarder;
        if (f == null) {
            return;
        }
        log.info("SIGUSR1 received: {}; the device dropped {} on read", f.counters(), device.readDrops());
        for (Connection c : f.table().connections()) {
            log.info("connection {} ({}): {}", c.mux(), c.remote() == null ? "no remote" : InetText.format(c.remote()),
                    c.counters());
            if (c.paths().length > 1) {
                for (var p : c.paths()) {
                    log.info("connection {} link {} ({}): {}, {} RAIL copies dropped, {} skipped", c.mux(), p.link(),
                            p.remote() == null ? "no remote" : InetText.format(p.remote()), p.counters(),
                            p.counters().drops(org.janytun.session.DropReason.RAIL_DUPLICATE), p.skipped());
                }
            }
        }
    }

    /**
     * {@code janytun[tun0]} in {@code ps}: the detached copy's command line says only "--internal-daemon-child", so
     * it gets the device as its whole command line; every copy gets it as its process name ({@code ps -e}, top).
     */
    private void nameProcess() {
        String title = ProgramName.janytun() + "[" + device.name() + "]";
        try {
            if (background) {
                org.janytun.os.ArgvScrubber.retitle(title);
            } else {
                byte[] comm = title.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                java.nio.file.Files.write(Path.of("/proc/self/comm"),
                        java.util.Arrays.copyOf(comm, Math.min(comm.length, 15)));
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot set the process name: {}", e.getMessage());
        }
    }

    /**
     * A problem at start that does not stop the daemon: logged, and said on stderr, which reaches the terminal of
     * whoever started janytun (the detached copy's stderr goes there until it reports ready).
     */
    private void startupProblem(String message) {
        log.error(message);
        boolean logsToTerminal = settings.logTargets().stream()
                .anyMatch(t -> t instanceof org.janytun.log.LogTarget.Stdout || t instanceof org.janytun.log.LogTarget.Stderr);
        if (background || !logsToTerminal) {
            System.err.println(ProgramName.janytun() + ": warning: " + message);
        }
    }

    /** One line for systemd's STATUS=: device, connections, where the control socket is. */
    private String status() {
        ConnectionTable t = forwarder.table();
        String peers = t.connections().size() == 1 && t.connections().getFirst().remote() != null
                ? "remote " + InetText.format(t.connections().getFirst().remote())
                : t.connections().size() + " connections";
        return "tunnel on " + device.name() + " up, " + peers + "; janytun-ctl show " + device.name();
    }

    private Lifecycle.Service service() {
        return new Lifecycle.Service() {
            @Override
            public void start() throws IOException {
                Daemon.this.start();
            }

            @Override
            public void stop() {
                Daemon.this.stop();
            }

            @Override
            public String status() {
                return Daemon.this.status();
            }
        };
    }

    private void start() throws IOException {
        settings.warnings().forEach(w -> log.warn(w));
        if (suite != null) {
            suite.warnings().forEach(w -> log.warn(w));
        }
        drops = new PacketDropLog<>(DropReason.class, log, Level.INFO, DROP_REPORT_INTERVAL,
                DropReason::description, System::nanoTime);

        if (settings.session().isPresent()) {
            SessionEndpoint.warmUp(settings.session().get()); // before the tunnel is visibly up: a restart is back sooner
        }
        device = LinuxTunDevice.open(settings.deviceName().orElse(null), settings.deviceType());
        log.info("dev of type '{}' opened, actual name is '{}'", settings.deviceType().name().toLowerCase(),
                device.name());
        nameProcess();
        if (settings.ifconfig().isPresent()) {
            new InterfaceConfigurator().configure(device.name(), settings.ifconfig().get().toString(),
                    settings.operator().mtu());
            log.info("configured {} with {}, mtu {}", device.name(), settings.ifconfig().get(),
                    settings.operator().mtu());
        }

        Path stateDir = settings.operator().stateDirFor(device.name(), netns);
        boolean sessionServer = settings.session().isPresent() && settings.session().get().server();
        // session keys are new after every handshake: no lease to keep, except for a server's static-key clients
        if (settings.session().isEmpty() || sessionServer) {
            try {
                leases = LeaseKeeper.open(stateDir, settings.operator().allowSeqWrap(), device.name(), log);
            } catch (IOException e) {
                throw new IOException("--state-dir: cannot keep the sequence lease in " + stateDir + ": "
                        + e.getMessage(), e);
            }
        }

        transport = UdpSocket.open(linkAddresses(), settings.addressFamily());
        if (settings.rail().enabled()) {
            log.info("RAIL mode: every packet goes out on {} {} links: {}", settings.rail().spread() ? "one of the"
                    : "each of", settings.rail().links().size(), settings.rail().links());
        }
        for (InetSocketAddress local : transport.localAddresses()) {
            log.info("listening on {}", InetText.format(local));
        }
        InetSocketAddress[] remotes = resolveRemotes();
        InetSocketAddress remote = remotes[0]; // link 0's: the one the log names

        if (settings.postUpScript().isPresent()) {
            String script = settings.postUpScript().get();
            try {
                int status = InterfaceConfigurator.runPostUpScript(Path.of(script), device.name());
                log.info("script '{}' returned {}", script, status);
            } catch (IOException e) {
                startupProblem("script '" + script + "' failed: " + e.getMessage());
            }
        }

        // Everything that reads files lazily (the JCE reads its policy files on first use) is set up before the
        // chroot hides them: sessions hold no JCE objects (each thread makes its engines at its first packet).
        boolean controlled = settings.controlHost().isPresent();
        loadCryptoProviders();
        if (settings.session().isPresent() && !sessionServer) {
            SessionSettings ss = settings.session().get();
            sessions = new SessionEndpoint(ss, settings.senderId(), settings.deviceType(), settings.windowSize(),
                    transport.newSender(2), PeerTable.SINGLE, log);
            connection = sessions.add(ss.peers().getFirst(), remote, false);
            sessionFingerprint = ss.fingerprint();
            ss.destroySecrets();
        } else if (suite != null) {
            SatpSession session = new SatpSession(suite, settings.role(), settings.senderId(), settings.mux(),
                    settings.deviceType(), settings.windowSize());
            connection = settings.rail().spread() ? Connection.spreading(session, paths(remotes))
                    : Connection.of(session, paths(remotes));
            leases.attach(connection.session());
            log.info("sequence lease in {}: mux {} sends from sequence number {}", leases.path(), settings.mux(),
                    Integer.toUnsignedString(connection.session().nextSeq()));
        }
        ConnectionTable table;
        boolean clustered = settings.sync().enabled();
        if (controlled || clustered || sessionServer) {
            // as anytun: routing needs a control or sync host to fill the table (or SATP-session peers with their
            // routes), and a tun device
            boolean routing = settings.deviceType() == DeviceType.TUN
                    && (controlled || sessionServer || !settings.sync().peers().isEmpty());
            if (!routing) {
                log.info("{}: no routing, every packet goes to the lowest mux", settings.deviceType()
                        == DeviceType.TUN ? "no control or sync host (-X/-M)" : "not a tun device");
            }
            registry = new ConnectionRegistry(
                    CtrAlgorithm.ofKeyBits(settings.cipherKeyBits()).orElseThrow(), settings.authAlgorithm(),
                    settings.authTagLength(), settings.senderId(), settings.deviceType(), connection,
                    settings.mux(), settings.routes(), routing);
            registry.setLinks(Math.max(1, settings.rail().links().size()), settings.rail().spread());
            registry.setCapacity(settings.operator().capacity());
            registry.onSessionStart(new ConnectionRegistry.SessionStart() {
                @Override
                public void starting(SatpSession session) throws IOException {
                    leases.stage(session);
                }

                @Override
                public void commit() throws IOException {
                    leases.commit(); // one disk sync for a whole table
                }
            });
            if (sessionServer) {
                SessionSettings ss = settings.session().get();
                sessions = new SessionEndpoint(ss, settings.senderId(), settings.deviceType(),
                        settings.windowSize(), transport.newSender(2), new RegistryPeerTable(registry), log);
                try {
                    sessions.addAll(ss.peers());
                } catch (IllegalArgumentException e) {
                    throw new IOException("--peers: " + e.getMessage(), e);
                }
                sessionFingerprint = ss.fingerprint();
                ss.destroySecrets();
            }
            table = registry.table();
        } else {
            if (!settings.routes().isEmpty()) {
                log.info("no control or sync host (-X/-M): routes (-R) are not used, every packet goes to the"
                        + " tunnel's peer");
            }
            table = ConnectionTable.single(connection);
        }
        forwarder = new Forwarder(device, transport, table, drops::count, () -> lifecycle.requestStop(1));
        if (sessions != null) {
            forwarder.onControl(sessions.queue());
        }
        if (registry != null) {
            registry.publishTo(forwarder::setTable);
        }
        if (clustered) {
            List<String> warnings = new ArrayList<>();
            cluster = new ClusterSync(settings.sync(), registry, warnings);
            warnings.forEach(log::warn);
            forwarder.onEndpointChange(cluster::endpointChanged);
        }

        startControlSocket();
        if (settings.operator().metrics().isPresent()) {
            startMetrics(settings.operator().metrics().get());
        }

        if (settings.pidFile().isPresent()) {
            pidFile = PidFile.write(settings.pidFile().get());
        }
        var target = Privileges.resolve(settings.username().orElse(null), settings.groupname().orElse(null));
        if (settings.chroot().isPresent()) {
            Daemonizer.prepareReport(); // the chroot need not have /dev/null, which detaching needs later
            if (pidFile != null) {
                pidFile.enteringChroot(Path.of(settings.chroot().get()));
            }
            Privileges.chroot(Path.of(settings.chroot().get()));
            log.info("entered chroot {}", settings.chroot().get());
        }
        if (target.isPresent()) {
            Privileges.drop(target.get());
            log.info("dropped privileges to {}", target.get());
        }

        int keepalive = settings.operator().keepaliveSeconds();
        if (keepalive > 0) {
            forwarder.keepalive(Duration.ofSeconds(keepalive));
            log.info("keepalive: an empty authentic packet to each peer sent nothing for {} s", keepalive);
        }
        forwarder.start();
        log.info("data path: {}", forwarder.description());
        if (sessions != null) {
            sessions.start();
        }
        // the twin runs the suite the tunnel's packets will use: a session's AEAD (from its throwaway placeholder
        // keys, on a server too), or the static key's
        SatpSession warmupLike = sessions != null ? SessionEndpoint.placeholder(settings.session().get().suite(),
                settings.senderId(), 0, settings.deviceType()) : connection != null ? connection.session() : null;
        if (warmupLike != null && !"off".equals(System.getProperty("janytun.warmup"))) {
            JitWarmup.start(warmupLike, device, forwarder::running,
                    () -> forwarder.counters().packetsIn() + forwarder.counters().packetsOut());
        }
        housekeeping.scheduleAtFixedRate(drops::tick, 1, 1, TimeUnit.SECONDS);
        housekeeping.scheduleAtFixedRate(forwarder::reportEndpointChanges, 10, 10, TimeUnit.SECONDS);
        if (cluster != null) {
            cluster.start();
        }
        if (controlled) {
            HostPort ctl = settings.controlHost().get();
            controlClient = SyncClient.forTables(ctl, new SyncClient.Tables() {
                @Override
                public void table(List<ConnectionRecord> peers, List<RouteRecord> routes) {
                    long t0 = System.nanoTime();
                    ConnectionTable t = registry.apply(peers, routes, log::warn);
                    log.info("control: {} connections in use ({} ms)", t.connections().size(),
                            (System.nanoTime() - t0) / 1_000_000);
                }

                @Override
                public boolean change(List<ConnectionRecord> peers, List<RouteRecord> routes,
                                      List<TableDrop> drops) {
                    long t0 = System.nanoTime();
                    ConnectionTable t = registry.applyChange(peers, routes, drops, log::warn);
                    if (t != null) {
                        log.info("control: {} connections in use ({} ms, a change)", t.connections().size(),
                                (System.nanoTime() - t0) / 1_000_000);
                    }
                    return t != null;
                }
            }, SyncClient.RETRY);
            controlClient.start();
            log.info("janytun started: server on {}, sender id {}, connections and routes from control host {}{}",
                    device.name(), settings.senderId(), ctl,
                    sessionServer ? ", plus " + sessions.peerCount() + " SATP-session peers (" + sessions.protocolName()
                            + ")" : connection == null ? "" : ", plus its own connection mux " + settings.mux());
        } else if (clustered) {
            log.info("janytun started: cluster node on {}, sender id {}, mux {}, {}", device.name(),
                    settings.senderId(), settings.mux(), remote == null ? "clients learned from their packets"
                            : "remote " + InetText.format(remote));
        } else if (sessionServer) {
            log.info("janytun started: SATP-session server ({}) on {}, sender id {}, {} peers from {}",
                    sessions.protocolName(), device.name(), settings.senderId(), sessions.peerCount(),
                    settings.session().get().peersFile().get());
        } else if (sessions != null) {
            log.info("janytun started: SATP session ({}) on {}, mux {}, sender id {}, remote {}",
                    sessions.protocolName(), device.name(), settings.mux(), settings.senderId(),
                    remote == null ? "learned from the peer's handshake" : InetText.format(remote));
        } else {
            log.info("janytun started: {} on {}, {}, remote {}", suite, device.name(),
                    "role " + settings.role().name().toLowerCase() + ", mux " + settings.mux() + ", sender id "
                            + settings.senderId() + ", window " + settings.windowSize(),
                    remote == null ? "learned from the first authentic packet" : InetText.format(remote));
        }
    }

    /** The socket janytun-ctl talks to: bound before the chroot and the privilege drop, served after them. */
    private void startControlSocket() throws IOException {
        Path socket = settings.operator().controlSocketFor(device.name(), netns);
        Set<String> users = new HashSet<>(Set.of("root"));
        settings.username().ifPresent(users::add);
        try {
            TableEdits edits = new TableEdits(new TableEdits.Target() {
                @Override
                public ConnectionRegistry registry() {
                    return registry;
                }

                @Override
                public void announce(List<org.janytun.sync.SyncRecord> records) {
                    if (cluster != null) {
                        cluster.announce(records);
                    }
                }

                @Override
                public SessionEndpoint sessions() {
                    return registry == null ? null : sessions; // a point-to-point session has its one peer
                }
            });
            DaemonControl commands = new DaemonControl(new LiveState(), edits, housekeeping, log);
            control = CtlServer.start(socket, users, commands, log);
        } catch (IOException e) {
            throw new IOException("--control-socket: cannot listen on " + socket + ": " + e.getMessage(), e);
        }
        log.info("control socket {} (janytun-ctl)", socket);
    }

    /** {@code --metrics}: bound before the chroot and the privilege drop. */
    private void startMetrics(HostPort where) throws IOException {
        try {
            InetSocketAddress bind = new InetSocketAddress(settings.addressFamily().resolve(where.host()),
                    where.port());
            metrics = MetricsEndpoint.start(bind, new LiveState());
            log.info("metrics on http://{}/metrics", InetText.format(bind));
        } catch (IOException e) {
            throw new IOException("--metrics: cannot serve on " + where + ": " + e.getMessage(), e);
        }
    }

    /** What janytun-ctl and the metrics read: the running daemon's live state (set up before they are served). */
    private final class LiveState implements DaemonControl.View, MetricsEndpoint.Source {
        @Override
        public String device() {
            return device.name();
        }

        @Override
        public int senderId() {
            return settings.senderId();
        }

        @Override
        public ConnectionTable table() {
            return forwarder.table();
        }

        @Override
        public List<Connection> connections() {
            return forwarder.table().connections();
        }

        @Override
        public org.janytun.connection.TrafficCounters counters() {
            return forwarder.counters();
        }

        @Override
        public org.janytun.connection.TrafficCounters total() {
            return forwarder.counters();
        }

        @Override
        public long deviceReadDrops() {
            return device.readDrops();
        }

        @Override
        public String dataPath() {
            return forwarder.description();
        }

        @Override
        public List<String> routes() {
            return registry == null ? List.of() : registry.routeSummary();
        }

        @Override
        public int syncClients() {
            return cluster == null ? -1 : cluster.syncClients();
        }

        @Override
        public ReloadPlan reload() throws CtlException {
            return Daemon.this.reload();
        }

        @Override
        public void keyChanged(int mux) {
            Daemon.this.keyChanged(mux);
        }

        @Override
        public SyncClient.State controlHost() {
            return controlClient == null ? null : controlClient.state();
        }

        @Override
        public List<SyncClient.State> syncPeers() {
            return cluster == null ? List.of() : cluster.peerStates();
        }

        @Override
        public List<SyncClient.State> upstreams() {
            List<SyncClient.State> all = new ArrayList<>(syncPeers());
            if (controlClient != null) {
                all.addFirst(controlClient.state());
            }
            return all;
        }

        @Override
        public org.janytun.handshake.HandshakeStats handshake() {
            return sessions == null ? null : sessions.stats();
        }

        @Override
        public org.janytun.handshake.HandshakeStats handshake(int mux) {
            return sessions == null ? null : sessions.stats(mux);
        }

        @Override
        public String peerKey(int mux) {
            return sessions == null ? null : sessions.peerKey(mux);
        }
    }

    /** Makes the JCE read its configuration now, while the files are still reachable (before a chroot). */
    private static void loadCryptoProviders() {
        try {
            javax.crypto.Cipher.getInstance("AES/CTR/NoPadding");
            javax.crypto.Cipher.getInstance("AES/ECB/NoPadding");
            java.security.MessageDigest.getInstance("SHA-1");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks AES or SHA-1", e);
        }
    }

    /** The sockets to open: the one of {@code -i}/{@code -p}, or a socket per RAIL link. */
    private List<LinkAddress> linkAddresses() {
        if (!settings.rail().enabled()) {
            return List.of(new LinkAddress(settings.localAddress().orElse(null), settings.localPort()));
        }
        List<LinkAddress> out = new ArrayList<>();
        for (RailSettings.Link l : settings.rail().links()) {
            out.add(new LinkAddress(l.localHost().or(settings::localAddress).orElse(null), l.localPort()));
        }
        return out;
    }

    /** Where each link sends at first: {@code -r}/{@code -o} (or the RAIL link's), null where it is learned. */
    private List<Optional<String>> remoteHosts() {
        if (!settings.rail().enabled()) {
            return List.of(settings.remoteHost());
        }
        return settings.rail().links().stream().map(l -> l.remotePort() == 0 ? Optional.<String>empty()
                : l.remoteHost().or(settings::remoteHost)).toList();
    }

    private int remotePort(int link) {
        return settings.rail().enabled() ? settings.rail().links().get(link).remotePort() : settings.remotePort();
    }

    private static org.janytun.connection.Path[] paths(InetSocketAddress[] remotes) {
        var paths = new org.janytun.connection.Path[remotes.length];
        for (int i = 0; i < remotes.length; i++) {
            paths[i] = new org.janytun.connection.Path(i, remotes[i]);
        }
        return paths;
    }

    /** Each link's remote, resolved now; a name that does not resolve yet is retried in the background. */
    private InetSocketAddress[] resolveRemotes() {
        List<Optional<String>> hosts = remoteHosts();
        InetSocketAddress[] out = new InetSocketAddress[hosts.size()];
        for (int i = 0; i < out.length; i++) {
            if (hosts.get(i).isEmpty()) {
                continue;
            }
            String host = hosts.get(i).get();
            int link = i;
            try {
                out[i] = new InetSocketAddress(settings.addressFamily().resolve(host), remotePort(i));
            } catch (UnknownHostException e) {
                startupProblem("remote host " + host + " does not resolve (" + e.getMessage() + "); retrying every "
                        + RESOLVE_RETRY.toSeconds() + " s");
                housekeeping.scheduleWithFixedDelay(() -> retryResolve(link, host), RESOLVE_RETRY.toSeconds(),
                        RESOLVE_RETRY.toSeconds(), TimeUnit.SECONDS);
            }
        }
        return out;
    }

    private void retryResolve(int link, String host) {
        var path = connection == null ? null : connection.pathOn(link);
        if (path == null || path.remote() != null) {
            return;
        }
        try {
            var a = new InetSocketAddress(settings.addressFamily().resolve(host), remotePort(link));
            connection.setRemoteIfUnknown(link, a);
            log.info("remote host {} resolved to {}", host, InetText.format(a));
        } catch (UnknownHostException e) {
            log.debug("remote host {} still does not resolve", host);
        }
    }

    private synchronized void stop() {
        housekeeping.shutdownNow();
        if (control != null) {
            control.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (controlClient != null) {
            controlClient.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (sessions != null) {
            sessions.stop();
        }
        if (forwarder != null) {
            forwarder.close();
        } else if (transport != null) {
            transport.close();
        }
        if (sessions != null) {
            sessions.close(); // the keys, once no packet thread uses them
        }
        if (device != null) {
            device.close();
        }
        if (leases != null) {
            leases.close();
        }
        if (drops != null) {
            drops.flush();
        }
        if (pidFile != null) {
            pidFile.remove(log);
            pidFile = null;
        }
    }
}
