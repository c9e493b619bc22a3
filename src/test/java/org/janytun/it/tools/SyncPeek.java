package org.janytun.it.tools;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import org.janytun.syncio.ClusterSecret;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Reads what an anytun cluster node's sync listener ({@code -S}) sends to a new connection: the full dump of its
 * connections and routes (SYNC.md §1.2, §1.6). Run inside a namespace by the integration tests.
 *
 * <pre>
 *   SyncPeek &lt;host&gt; &lt;port&gt; &lt;idleMillis&gt; &lt;totalMillis&gt; [&lt;secretFile&gt;]
 *       connects (through the protected sync handshake when a cluster secret file is given), prints "FRAME &lt;archive text&gt;" for each frame, and stops when nothing has arrived for
 *       idleMillis (after the first frame) or after totalMillis; prints "END &lt;frames&gt;". Exit status 1 when the
 *       connection fails, 3 when the framing is broken.
 * </pre>
 * It never writes to the socket (the listener never reads, SYNC.md §1.1).
 */
public final class SyncPeek {
    private SyncPeek() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: SyncPeek <host> <port> <idleMillis> <totalMillis> [<secretFile>]");
            System.exit(2);
        }
        int idle = Integer.parseInt(args[2]);
        long deadline = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000L;
        int frames = 0;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])), 3000);
            InputStream in = args.length == 5
                    ? ClusterSecret.read(Path.of(args[4]), new ArrayList<>()).open(s) : s.getInputStream();
            while (System.nanoTime() < deadline) {
                long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
                s.setSoTimeout((int) Math.min(frames == 0 ? leftMs : idle, leftMs));
                byte[] head;
                try {
                    head = readExactly(in, 6);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (head == null) {
                    break; // EOF
                }
                int len = Integer.parseInt(new String(head, 0, 5, StandardCharsets.US_ASCII).strip());
                s.setSoTimeout(2000);
                byte[] body = readExactly(in, len);
                if (body == null) {
                    System.out.println("BROKEN frame of " + len + " bytes cut short");
                    System.exit(3);
                }
                System.out.println("FRAME " + new String(body, StandardCharsets.US_ASCII));
                System.out.flush();
                frames++;
            }
        } catch (IOException e) {
            if (frames == 0) {
                System.out.println("FAILED " + e);
                System.exit(1);
            }
        } catch (NumberFormatException e) {
            System.out.println("BROKEN length field: " + e.getMessage());
            System.exit(3);
        }
        System.out.println("END " + frames);
        System.exit(0);
    }

    /** n bytes, or null at EOF before the first of them; an EOF in the middle is an IOException. */
    private static byte[] readExactly(InputStream in, int n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        byte[] buf = new byte[Math.max(1, n)];
        while (out.size() < n) {
            int r = in.read(buf, 0, n - out.size());
            if (r < 0) {
                if (out.size() == 0) {
                    return null;
                }
                throw new IOException("EOF inside a frame");
            }
            out.write(buf, 0, r);
        }
        return out.toByteArray();
    }
}
