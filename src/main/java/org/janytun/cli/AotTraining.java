package org.janytun.cli;

import java.util.List;
import org.janytun.cli.JanytunOptions;
import org.janytun.crypto.AuthAlgorithm;
import org.janytun.crypto.CryptoSuite;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.wire.DeviceType;
import org.janytun.log.LogLevel;
import org.janytun.log.LogSetup;
import org.janytun.log.LogTarget;
import org.janytun.warmup.JitWarmup;

/**
 * The training run for the JVM's AOT cache ({@code bin/setup} runs it with {@code -XX:AOTCacheOutput}, JDK 25, JEP
 * 514/515): it loads and links what a daemon start loads — option parsing, logging set-up, the crypto suite, the FFM
 * bindings — and pushes packets through the in-process twin of the data path that the start-up warm-up uses
 * ({@link JitWarmup}). No root, no tun device, no network beyond 127.0.0.1. The cache then lets a daemon start
 * with those classes already parsed and linked.
 */
public final class AotTraining {
    /**
     * Packets through the twin: enough that the data path reaches C2 in this run. The cache carries this run's method
     * profiles (JEP 515), and a daemon started with it compiles a method that only reached C1 here at C1 (tier 2)
     * and leaves it there: with 3,000 packets {@code ReceiveStage.open} and the ping path stayed at C1 in the daemon
     * (seen with {@code -Xlog:jit+compilation}), while without the profiles it reached C2 within 3 s.
     */
    private static final int PACKETS = 15_000;

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        JanytunOptions.parse("janytun", new String[] {"-D", "-L", "stdout:0", "-n", "10.255.0.1/24", "-r", "127.0.0.1",
                "-o", "4444", "-p", "4444", "-c", "aes-ctr-128", "-a", "sha1", "-k", "aes-ctr", "-E", "training", "-e",
                "left", "-t", "tun", "-d", "tun-train"});
        JanytunOptions.parse("janytun", new String[] {"--help"});
        loadStartPath();
        LogSetup.configure(List.of(new LogTarget.Stdout(LogLevel.OFF)));
        CryptoSuite suite = CryptoSuite.of(CtrAlgorithm.AES_CTR_128, CtrAlgorithm.AES_CTR_128, AuthAlgorithm.SHA1, 10,
                null, null, "training".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        int packets = args.length > 0 ? Integer.parseInt(args[0]) : PACKETS;
        int n = JitWarmup.runTwin(suite, DeviceType.TUN, true, packets, 4 * JitWarmup.SPARSE_ROUNDS, () -> true)
                .packets();
        if (n == 0) {
            JitWarmup.runCrypto(suite, DeviceType.TUN, packets, () -> true);
        }
        JitWarmup.runTwin(suite, DeviceType.TUN, false, packets / 4, JitWarmup.SPARSE_ROUNDS, () -> true);
        LogSetup.shutdown();
        System.out.println("AOT training: " + n + " packets through the data path twin");
    }

    /**
     * Classes that a daemon's start uses but this run does not reach by itself (it opens no tun device, makes no
     * socket for control, drops no privileges): loaded and initialized here, so that they come from the cache instead
     * of being parsed and verified from the jar at every start (found with {@code -Xlog:class+load}: 43 of ours and
     * ~170 of the JDK's were). Their static initializers only build constants.
     */
    private static void loadStartPath() {
        for (String name : List.of("org.janytun.cli.JanytunMain", "org.janytun.process.Daemonizer",
                "org.janytun.daemon.Daemon", "org.janytun.daemon.DaemonControl", "org.janytun.daemon.TableEdits",
                "org.janytun.process.Lifecycle", "org.janytun.process.SystemdNotify", "org.janytun.process.PidFile",
                "org.janytun.process.Signals", "org.janytun.os.Privileges", "org.janytun.os.ArgvScrubber",
                "org.janytun.os.NetNamespace", "org.janytun.ctl.CtlServer", "org.janytun.ctl.CtlHandler",
                "org.janytun.ctl.CtlException", "org.janytun.lease.LeaseKeeper", "org.janytun.lease.LeaseFile",
                "org.janytun.device.InterfaceConfigurator", "org.janytun.log.AnytunLayout",
                "org.janytun.log.PacketDropLog", "org.janytun.config.SuiteFromSettings",
                "org.janytun.config.ProgramName", "org.janytun.address.InetText", "org.janytun.session.SendLease",
                "java.util.concurrent.ScheduledThreadPoolExecutor", "java.util.concurrent.CompletableFuture")) {
            try {
                Class.forName(name, true, AotTraining.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                System.out.println("AOT training: " + name + " not loaded: " + e);
            }
        }
    }
}
