package org.janytun.control;

import org.janytun.address.InetText;
import org.janytun.config.ControldSettings;
import org.janytun.address.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.janytun.process.Daemonizer;
import org.janytun.process.Lifecycle;
import org.janytun.process.PidFile;
import org.janytun.os.Privileges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * janytun-controld at run time: reads the table, listens, writes the pid file, enters the chroot and drops
 * privileges (in that order, like janytun), then serves until SIGTERM or SIGINT. SIGHUP re-reads the table file: a
 * valid file is served from then on and pushed to the connected clients ({@link ControlServer#publish}); a file with
 * a bad line is refused with its line number in the log, and the old table stays.
 */
public final class ControlDaemon {
    private static final Logger log = LoggerFactory.getLogger("janytun-controld");

    private final ControldSettings settings;
    private Lifecycle lifecycle;
    private ControlServer server;
    private PidFile pidFile;
    /**
     * Reloads drilled on a sample of the table after the start: enough calls for C2 to compile the path (its
     * thresholds count calls: a few thousand), a few milliseconds each.
     */
    private static final int WARM_UP_ROUNDS = 10_000;
    private static final long WARM_UP_DELAY_MILLIS = 5_000;
    /** The table file as seen after the chroot, or null when it lies outside it. */
    private volatile Path reloadPath;

    private ControlDaemon(ControldSettings settings) {
        this.settings = settings;
    }

    /**
     * Runs until told to stop.
     *
     * @param table the table, already read and checked by the caller (so that its errors reach the terminal), handed
     *     over: this takes it out, so that no frame of the caller's holds the first table after reloads replaced it
     * @param background whether this is the detached copy started by {@link Daemonizer}
     * @return the exit status
     */
    public static int run(ControldSettings settings, AtomicReference<ControlTable> table, boolean background,
                          String prog) {
        ControlDaemon d = new ControlDaemon(settings);
        d.lifecycle = new Lifecycle(new Lifecycle.Service() {
            @Override
            public void start() throws IOException {
                d.start(table.getAndSet(null), background);
            }

            @Override
            public void stop() {
                d.stop();
            }
        }, log);
        return d.lifecycle.run(prog, settings.logTargets(), background,
                Map.of("HUP", () -> Thread.ofPlatform().name("controld-reload").start(d::reload)));
    }

    private void start(ControlTable table, boolean background) throws IOException {
        HostPort bind = settings.bind();
        InetSocketAddress address;
        if (bind.host().isEmpty()) {
            address = new InetSocketAddress(bind.port()); // every address (IPv6 and IPv4 where available)
            log.warn("listening on every address: anyone who can connect gets every client's keys");
        } else {
            address = new InetSocketAddress(InetAddress.getByName(bind.host()), bind.port());
        }
        server = new ControlServer(table, address, settings.endMarker());
        server.afterEachDump(ControlDaemon::compact);

        if (settings.pidFile().isPresent()) {
            pidFile = PidFile.write(settings.pidFile().get());
        }
        Path file = settings.file().toAbsolutePath().normalize();
        reloadPath = file;
        var target = Privileges.resolve(settings.username().orElse(null), settings.groupname().orElse(null));
        if (settings.chroot().isPresent()) {
            if (background) {
                Daemonizer.prepareReport(); // the chroot need not have /dev/null
            }
            Path root = Path.of(settings.chroot().get()).toRealPath();
            if (pidFile != null) {
                pidFile.enteringChroot(root);
            }
            Path real = file.toRealPath();
            reloadPath = real.startsWith(root) ? Path.of("/").resolve(root.relativize(real)) : null;
            if (reloadPath == null) {
                log.warn("the table {} is outside the chroot {}: SIGHUP cannot re-read it", file, root);
            }
            Privileges.chroot(root);
            log.info("entered chroot {}", root);
        }
        if (target.isPresent()) {
            Privileges.drop(target.get());
            log.info("dropped privileges to {}", target.get());
        }
        server.start();
        log.info("janytun-controld started: serving {} ({}) on {}", file, table,
                InetText.format(server.localAddress()));
        // the first SIGHUP's re-read would run on cold code (several times slower on a large table): compile it
        // now, once the start's own work (serving the table to the servers that connect) is likely done
        Thread.ofPlatform().name("controld-warmup").daemon().start(() -> {
            try {
                Thread.sleep(WARM_UP_DELAY_MILLIS);
                // under the reload's lock, and only while the first table is served: a SIGHUP meanwhile has run
                // the path itself, and the two together would hold three tables' worth of memory at once
                synchronized (this) {
                    if (server.table() == table && !lifecycle.stopping()) {
                        table.warmReloadPath(WARM_UP_ROUNDS);
                        compact();
                    }
                }
            } catch (InterruptedException | RuntimeException e) {
                log.debug("reload warm-up: {}", e.toString());
            }
        });
    }

    /** SIGHUP: re-read the file; serve and push it if it is valid, else keep the old table. */
    synchronized void reload() {
        Path p = reloadPath;
        if (server == null || lifecycle.stopping()) {
            return;
        }
        if (p == null) {
            log.error("SIGHUP: cannot re-read the table: it is outside the chroot; the old table stays");
            return;
        }
        ControlTable t;
        long t0 = System.nanoTime();
        try {
            t = ControlTable.read(p, server.table());
        } catch (ControlTable.TableException e) {
            log.error("SIGHUP: table refused, the old table stays: {}", e.getMessage());
            return;
        } catch (IOException e) {
            log.error("SIGHUP: cannot read {}: {}; the old table stays", p, e.getMessage());
            return;
        }
        int n = server.publish(t);
        log.info("SIGHUP: table re-read ({}), pushed to {} client{} ({} ms)", t, n, n == 1 ? "" : "s",
                (System.nanoTime() - t0) / 1_000_000);
        compact();
    }

    /**
     * A full collection once a reload (or its warm-up) is over and the old table is garbage, and once a client's
     * dump (the table's frames in one array) is sent. Without it the next re-read's copy of the file goes to heap the
     * process has never touched, and on a virtual machine the first touch of memory is what a re-read of 19 MB
     * (65,535 connections) spends most of its time on: 70-140 ms for the copy of the file alone, against 5-20 ms in
     * memory touched before (docs/PERFORMANCE.md, "Third pass" of "Scale"). After it the next table lands where the
     * last one was, and the old table's memory is given back at once. The reload is already published and logged:
     * the pause (20-90 ms at 65,535 connections) delays nothing a client waits for.
     */
    private static void compact() {
        System.gc();
    }

    private synchronized void stop() {
        if (server != null) {
            server.close();
        }
        if (pidFile != null) {
            pidFile.remove(log);
            pidFile = null;
        }
    }
}
