package org.janytun.it;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same matrix between the two reference programs (uanytun and anytun, both orientations), plus the
 * reference-only control experiments. Proves the harness and the test environment independently of janytun.
 */
class ReferencePairIT extends TunnelMatrixSupport {
    static Stream<TunnelCase> cases() {
        return Matrix.referenceCases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void tunnel(TunnelCase c) {
        runner.run(c);
    }
}
