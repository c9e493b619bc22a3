package org.janytun.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReplayProtectionTest {
    @Test
    void listsTheSenderIdsHeardFromInOrder() {
        ReplayProtection r = new ReplayProtection(64);
        assertArrayEquals(new int[0], r.senderIds());
        for (int sender : new int[] {7, 0, 65535, 3, 9, 11}) { // more than the first table holds
            assertTrue(r.accept(sender, 1));
        }
        assertFalse(r.accept(7, 1), "a replay adds nothing");
        assertArrayEquals(new int[] {0, 3, 7, 9, 11, 65535}, r.senderIds());
    }
}
