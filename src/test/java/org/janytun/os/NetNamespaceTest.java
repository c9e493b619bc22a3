package org.janytun.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NetNamespaceTest {

    @Test
    void missingNamespaceFailsWithEnoent() {
        OsException e = assertThrows(OsException.class, () -> NetNamespace.callIn("jt-no-such-ns", () -> "never"));
        assertEquals(Libc.ENOENT, e.errno());
    }

    @Test
    void badNames() {
        assertThrows(IllegalArgumentException.class, () -> NetNamespace.enter("../x"));
        assertThrows(IllegalArgumentException.class, () -> NetNamespace.enter(""));
    }

    @Test
    void virtualThreadsAreRefused() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                NetNamespace.enter("whatever");
            } catch (Throwable t) {
                failure.set(t);
            }
        }).join();
        assertEquals(IllegalStateException.class, failure.get().getClass());
    }
}
