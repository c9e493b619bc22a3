package org.janytun.process;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.janytun.log.LogSetup;
import org.janytun.log.LogTarget;
import org.slf4j.Logger;

/**
 * The life of a daemon process (janytun, janytun-controld): logging set up from {@code -L}, start-up with its
 * errors on the caller's terminal, readiness reported to the foreground copy when detached, SIGTERM and SIGINT
 * for a clean stop with status 0, other signals as the service wants, and a shutdown hook for everything else.
 */
public final class Lifecycle {
    /** What the process runs. */
    public interface Service {
        /** Opens everything; an exception ends the process with status 1 and its message on stderr. */
        void start() throws IOException;

        /** Releases everything; may be called more than once and from any thread. */
        void stop();

        /** A one-line summary once started, for systemd's {@code STATUS=}. */
        default String status() {
            return "running";
        }
    }

    private final Service service;
    private final Logger log;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile int exitStatus;
    private final SystemdNotify notify = SystemdNotify.fromEnvironment();

    public Lifecycle(Service service, Logger log) {
        this.service = service;
        this.log = log;
    }

    /** Whether a stop has been asked for. */
    public boolean stopping() {
        return stopping.get();
    }

    /** Stops the service on its own thread (safe from a signal handler); {@link #run} then returns {@code status}. */
    public void requestStop(int status) {
        if (stopping.compareAndSet(false, true)) {
            exitStatus = status;
            notify.stopping();
            Thread.ofPlatform().name("stop").start(() -> {
                try {
                    service.stop();
                } finally {
                    stopped.countDown();
                }
            });
        }
    }

    /**
     * Runs the service until it is stopped.
     *
     * @param background whether this is the detached copy started by {@link Daemonizer}
     * @param signals    handlers for other signals by name ("HUP", "USR1")
     * @return the exit status
     */
    public int run(String prog, List<LogTarget> logTargets, boolean background, Map<String, Runnable> signals) {
        // said on stderr, which reaches the caller's terminal also from the detached copy until it is ready
        logTargets = LogSetup.reachable(logTargets, java.nio.file.Path.of("/dev/log"),
                w -> System.err.println(prog + ": warning: " + w));
        try {
            LogSetup.configure(logTargets);
        } catch (LogSetup.LogSetupException e) {
            System.err.println(prog + ": -L/--log: " + e.getMessage());
            return 2; // a usage error in the man pages' terms: nothing has been started
        }
        try {
            service.start();
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            log.error("start-up failed: {}", message);
            System.err.println(prog + ": " + message);
            service.stop();
            LogSetup.shutdown();
            return 1;
        }
        Signals.handle("TERM", () -> requestStop(0));
        Signals.handle("INT", () -> requestStop(0));
        signals.forEach(Signals::handle);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
            if (!stopping.get()) {
                log.info("shutting down");
                notify.stopping();
            }
            service.stop();
            LogSetup.shutdown();
        }));
        if (background) {
            try {
                Daemonizer.reportReady();
            } catch (IOException e) {
                // the foreground process would wait for ever: better stop
                log.error("could not report readiness to the starting process: {}", e.getMessage());
                service.stop();
                LogSetup.shutdown();
                return 1;
            }
        }
        // systemd (Type=notify): ready only now that everything is open and the data path runs
        notify.ready(service.status());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("exiting");
        return exitStatus;
    }
}
