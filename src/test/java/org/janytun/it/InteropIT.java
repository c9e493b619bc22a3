package org.janytun.it;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The interop matrix: every {@link Scenarios#INTEROP} scenario with janytun against uanytun and anytun in both
 * orientations (and both start orders for the defaults), and janytun against itself. Needs root; runs in network
 * namespaces it creates. Fails (does not skip) while bin/janytun is not built or does not run a tunnel.
 */
class InteropIT extends TunnelMatrixSupport {
    static Stream<TunnelCase> cases() {
        return Matrix.janytunCases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void tunnel(TunnelCase c) {
        runner.run(c);
    }
}
