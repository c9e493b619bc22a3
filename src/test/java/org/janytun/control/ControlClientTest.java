package org.janytun.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.janytun.connection.Prefix;
import org.janytun.connection.PrefixRouter;
import org.janytun.transport.HostPort;
import org.junit.jupiter.api.Test;

/**
 * Framing and batching of the control stream over loopback, with a test decoder that reads "route P/L M" bodies:
 * frames without a pause form one table; garbage drops the connection and the partial table, then it reconnects.
 */
class ControlClientTest {

    private static final ControlClient.Decoder ROUTES = (b, off, len) -> {
        String[] f = new String(b, off, len, StandardCharsets.US_ASCII).split(" ");
        if (f.length != 3 || !f[0].equals("route")) {
            throw new IOException("not a test record");
        }
        return new ControlClient.RouteEntry(new PrefixRouter.Route(Prefix.parse(f[1]), Integer.parseInt(f[2])));
    };

    private static byte[] frame(String body) {
        return (String.format("%05d ", body.length()) + body).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void batchesTablesAndSurvivesGarbage() throws Exception {
        LinkedBlockingQueue<List<PrefixRouter.Route>> tables = new LinkedBlockingQueue<>();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             ControlClient client = new ControlClient(new HostPort("127.0.0.1", server.getLocalPort()), ROUTES,
                     (peers, routes) -> tables.add(routes), Duration.ofMillis(200))) {
            server.setSoTimeout(10_000);
            client.start();
            try (Socket s = server.accept()) {
                OutputStream out = s.getOutputStream();
                // three frames, the second split across writes: one table
                out.write(frame("route 10.0.0.0/8 1"));
                byte[] second = frame("route 10.1.0.0/16 2");
                out.write(second, 0, 7);
                out.flush();
                Thread.sleep(50);
                out.write(second, 7, second.length - 7);
                out.write(frame("route fd00::/8 3"));
                out.flush();
                List<PrefixRouter.Route> t1 = tables.poll(5, TimeUnit.SECONDS);
                assertEquals(3, t1.size(), String.valueOf(t1));
                // a later push is a new table
                out.write(frame("route 10.2.0.0/16 4"));
                out.flush();
                assertEquals(1, tables.poll(5, TimeUnit.SECONDS).size());
                // a good frame then garbage: the partial table is dropped with the connection
                out.write(frame("route 10.3.0.0/16 5"));
                out.write("12x45 garbage".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            // it comes back and takes the next table
            try (Socket s = server.accept()) {
                s.getOutputStream().write(frame("route 10.4.0.0/16 6"));
                s.getOutputStream().flush();
                List<PrefixRouter.Route> t3 = tables.poll(5, TimeUnit.SECONDS);
                assertEquals(List.of(new PrefixRouter.Route(Prefix.parse("10.4.0.0/16"), 6)), t3);
            }
            assertTrue(tables.isEmpty(), "the partial table before the garbage was never applied: " + tables);
        }
    }

    @Test
    void oversizeLengthFieldIsRejected() {
        byte[] b = "99999 x".getBytes(StandardCharsets.US_ASCII);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> ControlClient.frameLength(b, 0));
        assertTrue(e.getMessage().contains("more than"));
    }
}
