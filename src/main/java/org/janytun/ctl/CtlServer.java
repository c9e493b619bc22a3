package org.janytun.ctl;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.janytun.log.RateLimitedLog;
import org.slf4j.Logger;

/**
 * The control socket of one daemon: a Unix stream socket, owner-only ({@code 0600}), whose clients must also be
 * one of the allowed users by their peer credentials ({@code SO_PEERCRED}: root and the user janytun switched to).
 * One request per connection, answered and closed. A client has {@link #DEADLINE} in all to send its request (a
 * half-open one gets {@code errno=110}); at most {@link #MAX_CLIENTS} are served at once (more get
 * {@code errno=16}); nothing a client sends can stop the daemon. Refusals are logged at most once per 10 s.
 *
 * <p>Bound before a chroot or privilege drop; the listening socket keeps working after both. A stale socket file
 * left by a killed daemon is replaced; one that still answers is another daemon's, and binding fails.
 */
public final class CtlServer implements Closeable {
    /** Time a client has to send its whole request. */
    public static final Duration DEADLINE = Duration.ofSeconds(5);
    /** Clients served at once. */
    public static final int MAX_CLIENTS = 4;

    private final Path path;
    private final ServerSocketChannel server;
    private final Set<String> allowedUsers;
    private final CtlHandler handler;
    private final Logger log;
    private final Semaphore slots = new Semaphore(MAX_CLIENTS);
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("janytun-ctl-deadline").daemon().unstarted(r));
    private final RateLimitedLog refusals = new RateLimitedLog(Duration.ofSeconds(10));
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closed;

    private CtlServer(Path path, ServerSocketChannel server, Set<String> allowedUsers, CtlHandler handler, Logger log) {
        this.path = path;
        this.server = server;
        this.allowedUsers = Set.copyOf(allowedUsers);
        this.handler = handler;
        this.log = log;
        this.acceptor = Thread.ofPlatform().name("janytun-ctl").daemon().unstarted(this::acceptLoop);
    }

    /**
     * Binds {@code path} (creating its directory owner-only if need be) and starts serving.
     *
     * @param allowedUsers user names whose processes may send requests
     */
    public static CtlServer start(Path path, Set<String> allowedUsers, CtlHandler handler, Logger log)
            throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        removeStale(path);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path), 16);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        CtlServer s = new CtlServer(path, ch, allowedUsers, handler, log);
        s.acceptor.start();
        return s;
    }

    /** A socket file nobody answers on (its daemon was killed) is removed; a live one or another file is kept. */
    private static void removeStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
            throw new IOException(path + " exists and is not a socket");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new IOException(path + " is in use by another running daemon (give each one its own"
                    + " --control-socket)");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("in use by another")) {
                throw e;
            }
            Files.delete(path); // nobody listens: left behind by a daemon that did not stop cleanly
        }
    }

    public Path path() {
        return path;
    }

    /** Requests answered (including refused ones) and connections refused before a request was read. */
    public long served() {
        return served.get();
    }

    public long refused() {
        return refused.get();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    refuse("accept failed: " + e.getMessage());
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                refuse("more than " + MAX_CLIENTS + " clients at once");
                answerAndClose(c, CtlResponse.failure(new CtlException(CtlException.EBUSY, "busy, try again")));
                continue;
            }
            Thread.ofVirtual().name("janytun-ctl-client").start(() -> {
                try {
                    serve(c);
                } finally {
                    slots.release();
                }
            });
        }
    }

    private void serve(SocketChannel c) {
        // at the deadline the reading side is shut (the blocked read sees its end, and the client gets an answer);
        // a client that then does not take the answer is cut off at twice the deadline
        java.util.concurrent.atomic.AtomicBoolean late = new java.util.concurrent.atomic.AtomicBoolean();
        var timer = deadlines.schedule(() -> {
            late.set(true);
            shutdownInput(c);
        }, DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        var killer = deadlines.schedule(() -> closeQuietly(c), 2 * DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        try (c) {
            String user = peerUser(c);
            if (user == null || !allowedUsers.contains(user)) {
                refuse("a process of user " + (user == null ? "(unknown)" : user) + " is not allowed");
                answer(c, CtlResponse.failure(new CtlException(CtlException.EACCES, "permission denied")));
                drain(c);
                return;
            }
            byte[] reply;
            try {
                byte[] buf = new byte[CtlRequest.MAX_BYTES];
                int len = readRequest(c, buf, late);
                CtlRequest request = CtlRequest.parse(buf, len);
                CtlResponse r = new CtlResponse();
                handler.handle(request, r);
                reply = r.success();
            } catch (CtlException e) {
                reply = CtlResponse.failure(e);
            } catch (RuntimeException e) {
                log.warn("control request failed: {}", e.toString());
                reply = CtlResponse.failure(new CtlException(CtlException.EIO, "internal error"));
            }
            served.incrementAndGet();
            answer(c, reply);
            drain(c);
        } catch (IOException e) {
            // the client went away, or its deadline closed it
        } finally {
            timer.cancel(false);
            killer.cancel(false);
        }
    }

    /** Reads until the empty line that ends a request; refuses one that is too long, cut short or too slow. */
    private static int readRequest(SocketChannel c, byte[] buf, java.util.concurrent.atomic.AtomicBoolean late)
            throws IOException, CtlException {
        ByteBuffer b = ByteBuffer.wrap(buf);
        while (!CtlRequest.complete(buf, b.position())) {
            if (!b.hasRemaining()) {
                throw new CtlException(CtlException.E2BIG, "request longer than " + CtlRequest.MAX_BYTES + " bytes");
            }
            if (c.read(b) < 0) {
                if (late.get()) {
                    throw new CtlException(CtlException.ETIMEDOUT, "no complete request within "
                            + DEADLINE.toSeconds() + " s");
                }
                throw new CtlException(CtlException.EINVAL, b.position() == 0 ? "empty request"
                        : "request cut short (it ends with an empty line)");
            }
        }
        return b.position();
    }

    /**
     * After the answer: takes (and discards) what the client still sends, up to a cap and within the deadline, so
     * that closing with unread data does not reset the connection before the client has read the answer.
     */
    private static void drain(SocketChannel c) throws IOException {
        c.shutdownOutput();
        ByteBuffer b = ByteBuffer.allocate(4096);
        long total = 0;
        int n;
        while (total < 16 * CtlRequest.MAX_BYTES && (n = c.read(b)) >= 0) {
            total += n;
            b.clear();
        }
    }

    private static void shutdownInput(SocketChannel c) {
        try {
            c.shutdownInput();
        } catch (IOException e) {
            closeQuietly(c);
        }
    }

    private static String peerUser(SocketChannel c) {
        try {
            UnixDomainPrincipal p = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return p.user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private void refuse(String why) {
        refused.incrementAndGet();
        String tail = refusals.permit();
        if (tail != null) {
            log.warn("control socket {}: {}{}", path, why, tail);
        }
    }

    private static void answer(SocketChannel c, byte[] reply) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(reply);
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    private static void answerAndClose(SocketChannel c, byte[] reply) {
        try (c) {
            c.configureBlocking(false); // a client that does not read cannot hold the acceptor
            c.write(ByteBuffer.wrap(reply));
        } catch (IOException e) {
            // gone already
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        deadlines.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // after a chroot the path may be out of reach; the next start replaces the stale socket
        }
    }
}
