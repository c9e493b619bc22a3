package org.janytun.datapath;

import java.io.IOException;
import java.util.List;
import java.util.function.BiFunction;
import org.janytun.os.Libc;
import org.janytun.os.OsException;
import org.janytun.os.PollSet;
import org.janytun.os.Waker;

/**
 * One thread at low rates, two under load; for a transport and a device that can be polled.
 *
 * <p><b>Who sends.</b> At low rates the receiving thread ("janytun-udp") waits in poll on the socket and on the
 * device and runs both stages, as a single-threaded daemon would: a ping or a TCP ACK crosses no thread hand-off.
 * Every hand-off costs a wake-up, and on this kind of VM a wake-up on the other, idle, vCPU costs ~50-150 µs: a ping
 * through two daemons measured 0.4 ms with a thread per direction against 0.2 ms with all on one CPU. Once a read
 * from the device returns a large batch (a bulk transfer), the device thread ("janytun-device") takes the send
 * stage over, so that both directions run in parallel, until its traffic falls below ~5,000 packets/s.
 *
 * <p>The send stage has one owner at a time, named by {@link #mode}: only the owner changes it, and only after its
 * last use of the stage, so the other thread, which reads it before each use, never overlaps (the volatile write
 * and read order the two). An eventfd tells the new owner to look.
 *
 * <p><b>Spinning.</b> While it runs both stages and traffic is sparse, the receiving thread keeps polling without
 * sleeping for {@code -Djanytun.spin-us} (200) µs after each packet: the answer to what just went out then finds it
 * awake instead of having to wake it. At most ~16 % of a core, nothing under load.
 */
final class AdaptiveThreads implements ThreadingPolicy {
    private static final int POLL_MILLIS = 250;
    private static final int SHARED = 0;
    private static final int DEDICATED = 1;
    /** A device read this large hands the send stage to the device thread. */
    private static final int ESCALATE_BATCH = 32;
    private static final long DEDICATED_WINDOW_NANOS = 50_000_000L;
    private static final int DEDICATED_MIN_PACKETS = 256; // per window: below ~5,000 packets/s go back to shared
    private static final long SPIN_RATE_WINDOW_NANOS = 10_000_000L;
    private static final int SPIN_MAX_STEPS = 8;

    private final Loops loops;
    private final int deviceFd;
    private final long spinNanos;
    private final Waker stop;
    private final Waker kickReceiver;
    private final Waker kickDevice;
    /** Who owns the send stage: SHARED = the receiving thread, DEDICATED = the device thread. */
    private volatile int mode;

    private AdaptiveThreads(Loops loops, Waker stop, Waker kickReceiver, Waker kickDevice) {
        this.loops = loops;
        this.deviceFd = loops.device().pollFd();
        this.spinNanos = Math.max(0, Long.getLong("janytun.spin-us", 200)) * 1000L;
        this.stop = stop;
        this.kickReceiver = kickReceiver;
        this.kickDevice = kickDevice;
        this.mode = deviceFd >= 0 ? SHARED : DEDICATED;
    }

    /** The policy, or null when the eventfds it needs cannot be had (then {@link DedicatedThreads} serves). */
    static AdaptiveThreads open(Loops loops) {
        Waker[] w = new Waker[3];
        try {
            for (int i = 0; i < w.length; i++) {
                w[i] = Waker.open();
            }
            return new AdaptiveThreads(loops, w[0], w[1], w[2]);
        } catch (OsException e) {
            for (Waker x : w) {
                if (x != null) {
                    x.close();
                }
            }
            return null;
        }
    }

    @Override
    public List<Thread> threads(BiFunction<String, Runnable, Thread> threads) {
        return List.of(threads.apply("device", this::deviceLoop), threads.apply("udp", new ReceiveLoop()::run));
    }

    @Override
    public void wake() {
        stop.wake(new Libc.CallState());
    }

    @Override
    public void close() {
        stop.close();
        kickReceiver.close();
        kickDevice.close();
    }

    @Override
    public String describe() {
        return deviceFd >= 0 ? "one thread at low rates, a thread per direction under load"
                : "a thread per direction (the device cannot be polled)";
    }

    private void deviceLoop() {
        Libc.CallState st = new Libc.CallState();
        PollSet parked = new PollSet(2, st);
        parked.addReadable(kickDevice.fd());
        parked.addReadable(stop.fd());
        SendStage send = loops.send();
        int batch = send.batchSize();
        long windowStart = System.nanoTime();
        int windowPackets = 0;
        try {
            while (loops.running()) {
                if (mode == SHARED) {
                    parked.poll(POLL_MILLIS); // the receiving thread sends; wait to be asked
                    kickDevice.drain(st);
                    windowStart = System.nanoTime();
                    windowPackets = 0;
                    continue;
                }
                int ready = loops.device().await(deviceFd >= 0 ? 50 : POLL_MILLIS);
                if (ready < 0) {
                    return;
                }
                if (ready > 0) {
                    int n;
                    do {
                        n = send.pull(0);
                        windowPackets += Math.max(n, 0);
                    } while (n == batch && loops.running());
                    if (n < 0) {
                        return;
                    }
                }
                long now = System.nanoTime();
                send.tick(now);
                if (deviceFd >= 0 && (ready == 0 || now - windowStart > DEDICATED_WINDOW_NANOS)) {
                    if (ready == 0 || windowPackets < DEDICATED_MIN_PACKETS) {
                        mode = SHARED; // back to one thread; the receiving thread polls the device again
                        kickReceiver.wake(st);
                    }
                    windowStart = now;
                    windowPackets = 0;
                }
            }
        } catch (IOException e) {
            loops.deviceFailed(e);
        }
    }

    /** The receiving thread: the receive stage always, the send stage while it owns it. */
    private final class ReceiveLoop {
        private final Libc.CallState st = new Libc.CallState();
        /** The stop eventfd, the kick eventfd, the device (while it sends too) and the sockets. */
        private final PollSet pollSet;
        private final int firstSocketEntry;
        private final int stopEntry;
        private final int kickEntry;
        private final int deviceEntry;
        private boolean mayReceive;
        /** Until when (System.nanoTime) to poll without sleeping. */
        private long spinUntil;
        private long rateWindowStart;
        private int busySteps;
        private boolean sparse = true;

        ReceiveLoop() {
            int[] sockets = loops.rx().pollFds();
            pollSet = new PollSet(3 + sockets.length, st);
            stopEntry = pollSet.addReadable(stop.fd());
            kickEntry = pollSet.addReadable(kickReceiver.fd());
            deviceEntry = pollSet.addReadable(-1);
            firstSocketEntry = 3;
            for (int fd : sockets) {
                pollSet.addReadable(fd);
            }
        }

        void run() {
            while (loops.running() && step()) {
                // one batch per step
            }
        }

        /** Waits for datagrams (and, while it sends too, for the device), handles them; false when told to stop. */
        private boolean step() {
            boolean shared = mode == SHARED;
            boolean deviceReady = false;
            if (!mayReceive && !loops.rx().pending()) {
                pollSet.set(deviceEntry, shared ? deviceFd : -1);
                boolean spin = shared && spinNanos > 0 && System.nanoTime() - spinUntil < 0;
                int ready = pollSet.poll(spin ? 0 : POLL_MILLIS);
                if (ready == 0 && spin) {
                    Thread.yield(); // whoever else wants this CPU (the peer, the application) goes first
                    return true;
                }
                if (ready > 0) {
                    if (pollSet.ready(stopEntry)) {
                        return false;
                    }
                    if (pollSet.ready(kickEntry)) {
                        kickReceiver.drain(st);
                    }
                    mayReceive = anySocketReady();
                    deviceReady = pollSet.ready(deviceEntry);
                }
            }
            int m = 0;
            if (mayReceive || loops.rx().pending()) {
                m = loops.receive().pull(loops.rx(), 0);
                if (m < 0) {
                    return false;
                }
                if (m < loops.receive().capacity()) {
                    mayReceive = false; // drained, most likely: wait in poll next time
                }
            }
            // send once a receive is drained (as often as the kernel hands over a batch, not per 64 datagrams of
            // a large GRO batch): the device's answers then go out together
            if (shared && (deviceReady || (m > 0 && !loops.rx().pending()))) {
                sendShared();
                if (spinNanos > 0) {
                    armSpin();
                }
            }
            if (mode == SHARED) { // still the owner (sendShared may just have handed the stage over)
                loops.send().tick(System.nanoTime());
            }
            return true;
        }

        private boolean anySocketReady() {
            for (int i = firstSocketEntry; i < pollSet.size(); i++) {
                if (pollSet.ready(i)) {
                    return true;
                }
            }
            return false;
        }

        /** Sends what the device has (the kernel's answers to what was just written, or new traffic). */
        private void sendShared() {
            try {
                int n = loops.send().pull(0);
                if (n >= ESCALATE_BATCH && loops.running()) {
                    mode = DEDICATED; // a bulk transfer: the device thread takes the send stage
                    kickDevice.wake(st);
                }
            } catch (IOException e) {
                loops.deviceFailed(e);
            }
        }

        /**
         * After traffic: poll without sleeping for a while, but only while the traffic is sparse (fewer than 8 busy
         * steps per 10 ms: requests and answers, not a
         * bulk transfer, whose gaps the kernel fills anyway and where the CPU is better left to the other side).
         */
        private void armSpin() {
            long now = System.nanoTime();
            if (now - rateWindowStart > SPIN_RATE_WINDOW_NANOS) {
                sparse = busySteps < SPIN_MAX_STEPS;
                rateWindowStart = now;
                busySteps = 0;
            }
            busySteps++;
            spinUntil = sparse && busySteps < SPIN_MAX_STEPS ? now + spinNanos : now;
        }
    }
}
