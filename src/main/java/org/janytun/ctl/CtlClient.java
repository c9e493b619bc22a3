package org.janytun.ctl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The client side of the control socket: one request, the answer's lines, with a deadline. */
public final class CtlClient {
    /** The longest answer taken (a server with thousands of connections answers show in a few hundred KiB). */
    static final int MAX_ANSWER = 16 << 20;

    private CtlClient() {}

    /** An answer: its {@code key=value} lines (without the errno line), and errno (0: success). */
    public record Answer(List<String> lines, int errno) {
        /** The {@code message=} of a refusal, or empty. */
        public String message() {
            return lines.stream().filter(l -> l.startsWith("message=")).map(l -> l.substring(8)).findFirst()
                    .orElse("");
        }
    }

    /** Sends {@code request} to the socket at {@code path} and reads the answer within {@code timeout}. */
    public static Answer call(Path path, CtlRequest request, Duration timeout) throws IOException {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().unstarted(r));
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            timer.schedule(() -> {
                try {
                    ch.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            ch.connect(UnixDomainSocketAddress.of(path));
            ByteBuffer out = ByteBuffer.wrap(request.encode());
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (ch.read(b) >= 0) {
                in.write(b.array(), 0, b.position());
                b.clear();
                if (in.size() > MAX_ANSWER) {
                    throw new IOException("answer longer than " + MAX_ANSWER + " bytes");
                }
            }
            return parse(in.toString(StandardCharsets.UTF_8));
        } catch (java.nio.channels.AsynchronousCloseException e) {
            throw new IOException("no answer within " + timeout.toSeconds() + " s");
        } finally {
            timer.shutdownNow();
        }
    }

    static Answer parse(String text) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (l.startsWith("errno=")) {
                try {
                    return new Answer(lines, Integer.parseInt(l.substring(6)));
                } catch (NumberFormatException e) {
                    throw new IOException("malformed answer");
                }
            }
            if (!l.isEmpty()) {
                lines.add(l);
            }
        }
        throw new IOException("incomplete answer (the daemon closed the connection)");
    }
}
