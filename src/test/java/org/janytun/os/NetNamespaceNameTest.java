package org.janytun.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The namespace name that scopes the default state and socket paths: none in the host's namespace. */
class NetNamespaceNameTest {
    @Test
    void theTestsRunInTheHostsNamespace() {
        assertEquals(Optional.empty(), NetNamespace.currentName());
    }
}
