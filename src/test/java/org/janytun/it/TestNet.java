package org.janytun.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The shared test topology: namespaces A (left tunnel ends) and B (right tunnel ends) joined by link 1
 * (A = 10.201.1.1 / fd21:1::1, B = .2 / ::2), and a third namespace C joined to B by link 2
 * (C = 10.201.2.1, B = 10.201.2.2) from which foreign packets (replays) are sent. Devices created later in the
 * namespaces start with IPv6 disabled, so tun/tap devices carry only the test traffic unless a case enables it.
 */
public final class TestNet implements AutoCloseable {
    public final Netns a;
    public final Netns b;
    public final Netns c;
    /** A (side a) to B (side b). */
    public final VethLink ab;
    /** C (side a) to B (side b). */
    public final VethLink cb;

    private TestNet(Netns a, Netns b, Netns c, VethLink ab, VethLink cb) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.ab = ab;
        this.cb = cb;
    }

    public static TestNet create() {
        List<Netns> made = new ArrayList<>();
        try {
            Netns a = Netns.create("A");
            made.add(a);
            Netns b = Netns.create("B");
            made.add(b);
            Netns c = Netns.create("C");
            made.add(c);
            VethLink ab = VethLink.connect(a, b, 1);
            VethLink cb = VethLink.connect(c, b, 2);
            for (Netns ns : made) {
                ns.sysctl("net.ipv6.conf.default.disable_ipv6", "1");
            }
            return new TestNet(a, b, c, ab, cb);
        } catch (RuntimeException | AssertionError e) {
            for (Netns ns : made) {
                ns.close();
            }
            throw e;
        }
    }

    @Override
    public void close() {
        c.close();
        b.close();
        a.close();
    }

    @Override
    public String toString() {
        return "A=" + a + " B=" + b + " C=" + c;
    }
}
