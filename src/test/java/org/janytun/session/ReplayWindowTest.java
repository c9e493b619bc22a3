package org.janytun.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ring-bitmap window against a plain model of SPEC §10 built on a set, over random sequences near the wrap. */
class ReplayWindowTest {

    /** SPEC §10 written as directly as possible: a set of seen numbers instead of bits. */
    static final class Model {
        static final long MASK = 0xFFFF_FFFFL;
        static final long H = 0x7FFF_FFFFL;
        final long w;
        Long max;
        final Set<Long> seen = new HashSet<>();

        Model(long w) {
            this.w = w;
        }

        boolean accept(long seq) {
            if (max == null) {
                max = seq;
                seen.add(seq);
                return true;
            }
            long s = seq;
            long m = max;
            if (m < w) {
                s = (s + H) & MASK;
                m = (m + H) & MASK;
            } else if (m > MASK - w) {
                s = (s - H) & MASK;
                m = (m - H) & MASK;
            }
            long min = m - w + 1;
            if (s < min || s == m) {
                return false;
            }
            if (s > m) {
                max = seq;
                seen.add(seq);
                seen.removeIf(x -> ((max - x) & MASK) >= w);
                return true;
            }
            return seen.add(seq);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 7, 64, 100, 1000})
    void agreesWithTheModel(long w) {
        Random random = new Random(w);
        for (long start : new long[] {0, 5, 0xFFFF_FFF0L, 0x7FFF_FFF0L, 0x8000_0005L}) {
            ReplayWindow window = null;
            Model model = new Model(w);
            long cursor = start;
            for (int i = 0; i < 5_000; i++) {
                long seq = switch (random.nextInt(6)) {
                    case 0 -> cursor = (cursor + 1) & Model.MASK;
                    case 1 -> (cursor - random.nextInt((int) Math.min(2 * w + 2, 5000))) & Model.MASK;
                    case 2 -> cursor = (cursor + random.nextInt(3 * (int) w + 3)) & Model.MASK;
                    case 3 -> cursor;
                    case 4 -> random.nextLong() & Model.MASK;
                    default -> (cursor + random.nextInt(10) - 5) & Model.MASK;
                };
                boolean expected = model.accept(seq);
                boolean actual;
                if (window == null) {
                    window = new ReplayWindow(w, (int) seq);
                    actual = true;
                } else {
                    actual = window.accept((int) seq);
                }
                final long s = seq;
                final int step = i;
                assertEquals(expected, actual, () -> "w=" + w + " start=" + start + " step " + step
                        + " seq " + Long.toHexString(s));
                if (random.nextInt(200) == 0) {
                    cursor = model.max; // resynchronise the generator with the window from time to time
                }
            }
        }
    }
}
