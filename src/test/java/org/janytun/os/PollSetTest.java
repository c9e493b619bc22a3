package org.janytun.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PollSetTest {
    private static final byte[] ONE = {1, 0, 0, 0, 0, 0, 0, 0};

    @Test
    void reportsWhichEntryIsReadyAndSkipsDisabledOnes() throws Exception {
        int a = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        int b = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        Libc.CallState st = new Libc.CallState();
        try {
            PollSet set = new PollSet(3, st);
            int ea = set.addReadable(a);
            int eb = set.addReadable(b);
            int later = set.addReadable(-1);
            assertEquals(0, set.poll(0), "nothing written yet");
            Libc.write(st, b, ONE, 0, 8);
            assertEquals(1, set.poll(1000));
            assertFalse(set.ready(ea));
            assertTrue(set.ready(eb));
            assertFalse(set.ready(later));
            set.set(eb, -1); // left out from now on, although still readable
            assertEquals(0, set.poll(0));
            assertFalse(set.ready(eb), "a changed entry starts with nothing reported");
            set.set(later, b);
            assertEquals(1, set.poll(0));
            assertTrue(set.ready(later));
        } finally {
            Libc.close(a);
            Libc.close(b);
        }
    }

    @Test
    void aWakerWakesThePollUntilDrained() throws Exception {
        Waker w = Waker.open();
        Libc.CallState st = new Libc.CallState();
        try {
            PollSet set = new PollSet(1, st);
            int e = set.addReadable(w.fd());
            assertEquals(0, set.poll(0));
            Thread.ofPlatform().start(() -> w.wake(new Libc.CallState()));
            assertEquals(1, set.poll(5000), "woken from another thread");
            assertTrue(set.ready(e));
            w.drain(st);
            assertEquals(0, set.poll(0), "drained");
        } finally {
            w.close();
        }
    }
}
