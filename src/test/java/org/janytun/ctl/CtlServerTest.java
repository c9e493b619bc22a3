package org.janytun.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The control socket with a real Unix socket: permissions, peer credentials, deadlines, caps and bad requests. */
class CtlServerTest {
    private static final Logger LOG = LoggerFactory.getLogger(CtlServerTest.class);
    private static final String ME = System.getProperty("user.name");

    @TempDir
    Path dir;

    private static final CtlHandler ECHO = (req, out) -> {
        if (req.op().equals("fail")) {
            throw new CtlException(CtlException.ENOENT, "nothing here");
        }
        if (req.op().equals("boom")) {
            throw new IllegalStateException("bug");
        }
        out.add("op", req.op());
        req.params().forEach(out::add);
    };

    private static String raw(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            ByteBuffer b = ByteBuffer.allocate(65536);
            while (ch.read(b) >= 0) {
                // until the server closes
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void answersRequestsAndIsOwnerOnly() throws Exception {
        Path socket = dir.resolve("run/t0.ctl");
        try (CtlServer s = CtlServer.start(socket, Set.of(ME), ECHO, LOG)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            CtlClient.Answer a = CtlClient.call(socket, new CtlRequest("show", Map.of("a", "b")), Duration.ofSeconds(5));
            assertEquals(0, a.errno());
            assertEquals(java.util.List.of("op=show", "a=b"), a.lines());
            a = CtlClient.call(socket, new CtlRequest("fail", Map.of()), Duration.ofSeconds(5));
            assertEquals(CtlException.ENOENT, a.errno());
            assertEquals("nothing here", a.message());
            assertEquals("message=internal error\nerrno=5\n\n", raw(socket, "boom=1\n\n"));
        }
        assertTrue(Files.notExists(socket), "removed on close");
    }

    @Test
    void malformedOversizeAndCutShortRequestsGetAnErrorAndTheServerKeepsGoing() throws Exception {
        Path socket = dir.resolve("t1.ctl");
        try (CtlServer s = CtlServer.start(socket, Set.of(ME), ECHO, LOG)) {
            assertTrue(raw(socket, "show\n\n").endsWith("errno=22\n\n"));
            assertTrue(raw(socket, "show=1\nkey=a b\n\n").endsWith("errno=22\n\n"));
            assertTrue(raw(socket, "show=1\nx=1\nx=2\n\n").endsWith("errno=22\n\n"));
            assertTrue(raw(socket, "show=1\n" + "k=v\n".repeat(3000) + "\n").endsWith("errno=7\n\n"));
            assertTrue(raw(socket, "\u0000\u00ff\n\n").endsWith("errno=22\n\n"));
            // a client that sends half a request and closes its side
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                ch.write(ByteBuffer.wrap("show=1\n".getBytes(StandardCharsets.US_ASCII)));
                ch.shutdownOutput();
                ByteBuffer b = ByteBuffer.allocate(4096);
                while (ch.read(b) >= 0) {
                    // until closed
                }
                assertTrue(new String(b.array(), 0, b.position()).contains("cut short"));
            }
            assertEquals(0, CtlClient.call(socket, new CtlRequest("show", Map.of()), Duration.ofSeconds(5)).errno());
        }
    }

    @Test
    void aHalfOpenClientIsAnsweredAtTheDeadlineAndOthersAreStillServed() throws Exception {
        Path socket = dir.resolve("t2.ctl");
        try (CtlServer s = CtlServer.start(socket, Set.of(ME), ECHO, LOG);
             SocketChannel slow = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            slow.write(ByteBuffer.wrap("show=1\n".getBytes(StandardCharsets.US_ASCII)));
            // meanwhile another client is served at once
            assertEquals(0, CtlClient.call(socket, new CtlRequest("show", Map.of()), Duration.ofSeconds(2)).errno());
            long t0 = System.nanoTime();
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (slow.read(b) >= 0) {
                // until the deadline answers and closes
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(new String(b.array(), 0, b.position()).endsWith("errno=110\n\n"));
            assertTrue(ms < CtlServer.DEADLINE.toMillis() + 2000, "answered at the deadline: " + ms + " ms");
        }
    }

    @Test
    void aPeerThatIsNotAnAllowedUserIsRefused() throws Exception {
        Path socket = dir.resolve("t3.ctl");
        try (CtlServer s = CtlServer.start(socket, Set.of("nobody-" + ME), ECHO, LOG)) {
            CtlClient.Answer a = CtlClient.call(socket, new CtlRequest("show", Map.of()), Duration.ofSeconds(5));
            assertEquals(CtlException.EACCES, a.errno());
            assertEquals(1, s.refused());
        }
    }

    @Test
    void aStaleSocketIsReplacedAndALiveOneIsNot() throws Exception {
        Path socket = dir.resolve("t4.ctl");
        try (CtlServer s = CtlServer.start(socket, Set.of(ME), ECHO, LOG)) {
            IOException e = assertThrows(IOException.class, () -> CtlServer.start(socket, Set.of(ME), ECHO, LOG));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        // a socket file nobody listens on, as a killed daemon leaves it
        try (var ch = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        try (CtlServer s = CtlServer.start(socket, Set.of(ME), ECHO, LOG)) {
            assertEquals(0, CtlClient.call(socket, new CtlRequest("show", Map.of()), Duration.ofSeconds(5)).errno());
        }
        Files.writeString(socket, "not a socket");
        IOException e = assertThrows(IOException.class, () -> CtlServer.start(socket, Set.of(ME), ECHO, LOG));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
    }

    @Test
    void theParserRefusesWhatTheGrammarDoesNotAllow() {
        String[] bad = {"", "\n", "show=1\n", "show=2\n\n", "=1\n\n", "Show=1\n\n", "show=1\n\nx=1\n\n",
                "show=1\nx=\n\n", "show=1\nshow=1\n\n", "show=1\r\n\n", "a".repeat(33) + "=1\n\n",
                "show=1\nx=" + "v".repeat(513) + "\n\n"};
        for (String b : bad) {
            byte[] buf = b.getBytes(StandardCharsets.ISO_8859_1);
            assertThrows(CtlException.class, () -> CtlRequest.parse(buf, buf.length), () -> "accepted " + b);
        }
    }
}
