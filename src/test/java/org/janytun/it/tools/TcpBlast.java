package org.janytun.it.tools;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Bulk TCP transfer with a checksum, run inside a namespace by the integration tests.
 *
 * <pre>
 *   TcpBlast server &lt;bindaddr&gt; &lt;port&gt; &lt;timeoutSeconds&gt;
 *       prints "listening ..." once bound, accepts one connection, reads to EOF,
 *       prints "RESULT &lt;bytes&gt; &lt;sha256&gt;" and closes.
 *   TcpBlast client &lt;addr&gt; &lt;port&gt; &lt;bytes&gt; &lt;seed&gt; &lt;timeoutSeconds&gt; [&lt;bytesPerSecond&gt; [&lt;stopFile&gt;]]
 *       sends &lt;bytes&gt; deterministic pseudo-random bytes, half-closes, waits for the server to close,
 *       prints "RESULT &lt;bytes&gt; &lt;sha256&gt;" of what it sent. With a rate (0 = unpaced), the sending is paced
 *       to at most that many bytes a second (so the transfer lasts at least bytes/rate seconds), with a small send
 *       buffer and no catching up, so a stall in the network is not followed by a burst; prints "connected"
 *       first. With a stop file, it stops sending early once that file exists (RESULT then gives the bytes sent).
 * </pre>
 * The whole run is bounded by the timeout (exit status 3 when it is exceeded).
 */
public final class TcpBlast {
    private TcpBlast() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            usage();
        }
        switch (args[0]) {
            case "server" -> {
                if (args.length != 4) {
                    usage();
                }
                watchdog(Integer.parseInt(args[3]));
                server(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            }
            case "client" -> {
                if (args.length < 6 || args.length > 8) {
                    usage();
                }
                watchdog(Integer.parseInt(args[5]));
                client(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]),
                        Integer.parseInt(args[5]), args.length >= 7 ? Long.parseLong(args[6]) : 0,
                        args.length == 8 ? Path.of(args[7]) : null);
            }
            default -> usage();
        }
        System.exit(0);
    }

    private static void usage() {
        System.err.println("usage: TcpBlast server <bindaddr> <port> <timeoutSeconds>\n"
                + "       TcpBlast client <addr> <port> <bytes> <seed> <timeoutSeconds> [<bytesPerSecond> [<stopFile>]]");
        System.exit(2);
    }

    private static void watchdog(int seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("TIMEOUT after " + seconds + " s");
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }, "watchdog");
        t.setDaemon(true);
        t.start();
    }

    private static void server(String bind, int port, int timeoutSeconds) throws Exception {
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
            ss.setSoTimeout(timeoutSeconds * 1000);
            System.out.println("listening " + ss.getLocalSocketAddress());
            System.out.flush();
            try (Socket s = ss.accept()) {
                s.setSoTimeout(timeoutSeconds * 1000);
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[64 * 1024];
                long total = 0;
                InputStream in = s.getInputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    md.update(buf, 0, n);
                    total += n;
                }
                System.out.println("RESULT " + total + " " + HexFormat.of().formatHex(md.digest()));
                System.out.flush();
            }
        }
    }

    private static void client(String addr, int port, long bytes, long seed, int timeoutSeconds, long rate,
            Path stopFile) throws Exception {
        try (Socket s = new Socket()) {
            if (rate > 0) {
                s.setSendBufferSize(64 * 1024);
            }
            s.connect(new InetSocketAddress(InetAddress.getByName(addr), port), Math.min(timeoutSeconds, 15) * 1000);
            s.setSoTimeout(timeoutSeconds * 1000);
            System.out.println("connected " + s.getLocalSocketAddress());
            System.out.flush();
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            SplittableRandom rnd = new SplittableRandom(seed);
            // paced: small chunks, so the stream is steady rather than bursts of 64 KiB
            byte[] buf = new byte[rate > 0 ? 8 * 1024 : 64 * 1024];
            OutputStream out = s.getOutputStream();
            long next = System.nanoTime();
            long left = bytes;
            while (left > 0) {
                if (stopFile != null && Files.exists(stopFile)) {
                    break;
                }
                int n = (int) Math.min(buf.length, left);
                rnd.nextBytes(buf);
                out.write(buf, 0, n);
                md.update(buf, 0, n);
                left -= n;
                if (rate > 0) {
                    // a token bucket holding at most 20 ms of data: after a stall (the network under test
                    // paused), the sender resumes at the rate instead of catching up with a burst
                    long now = System.nanoTime();
                    next = Math.max(next, now - 20_000_000L) + (long) (n * 1e9 / rate);
                    long ahead = next - now;
                    if (ahead > 0) {
                        Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                    }
                }
            }
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            while (in.read(buf) >= 0) {
                // wait for the server to close after it has read everything
            }
            System.out.println("RESULT " + (bytes - left) + " " + HexFormat.of().formatHex(md.digest()));
            System.out.flush();
        }
    }
}
