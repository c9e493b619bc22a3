package org.janytun.it;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.janytun.it.Kind.ANYTUN;
import static org.janytun.it.Kind.JANYTUN;
import static org.janytun.it.Kind.UANYTUN;

/**
 * Which pairings run which {@link Scenarios}. janytun meets each reference in both orientations (left is started
 * first, so janytun starts first as left and second as right); for {@link Scenarios#DEFAULTS} also with the
 * opposite start order; plus janytun against itself.
 */
public final class Matrix {
    private Matrix() {}

    /** Pairings of janytun with the references and itself for one scenario. */
    public static List<Pairing> janytunPairings(Scenario s) {
        List<Pairing> p = new ArrayList<>();
        for (Kind ref : List.of(UANYTUN, ANYTUN)) {
            p.add(Pairing.of(JANYTUN, ref));
            p.add(Pairing.of(ref, JANYTUN));
            if (s == Scenarios.DEFAULTS) {
                p.add(Pairing.rightFirst(JANYTUN, ref));
                p.add(Pairing.rightFirst(ref, JANYTUN));
            }
        }
        p.add(Pairing.of(JANYTUN, JANYTUN));
        return p;
    }

    /** Pairings of the two reference programs with each other for one scenario. */
    public static List<Pairing> referencePairings(Scenario s) {
        List<Pairing> p = new ArrayList<>(List.of(Pairing.of(UANYTUN, ANYTUN), Pairing.of(ANYTUN, UANYTUN)));
        if (s == Scenarios.DEFAULTS) {
            p.add(Pairing.rightFirst(UANYTUN, ANYTUN));
            p.add(Pairing.rightFirst(ANYTUN, UANYTUN));
        }
        return p;
    }

    /** The janytun interop matrix ({@code InteropIT}). */
    public static Stream<TunnelCase> janytunCases() {
        return Scenarios.INTEROP.stream()
                .flatMap(s -> janytunPairings(s).stream().map(p -> new TunnelCase(s, p)));
    }

    /** The reference-only matrix ({@code ReferencePairIT}): proves the harness with uanytun against anytun. */
    public static Stream<TunnelCase> referenceCases() {
        return Stream.concat(Scenarios.INTEROP.stream(), Scenarios.REFERENCE_ONLY.stream())
                .flatMap(s -> referencePairings(s).stream().map(p -> new TunnelCase(s, p)));
    }
}
