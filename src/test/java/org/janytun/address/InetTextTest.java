package org.janytun.address;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InetTextTest {

    @Test
    void formatsLikeTheReference() {
        // outputs of Debian's anytun-config -R <input>/128, i.e. glibc inet_ntop
        String[][] cases = {
            {"::102:304", "::1.2.3.4"},
            {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
            {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"},
            {"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},
            {"::ffff:0:1.2.3.4", "::ffff:0:102:304"},
            {"0:0:0:0:0:1:0:0", "::1:0:0"},
            {"::1.2.3.4", "::1.2.3.4"},
            {"::0:ffff:102:304", "::ffff:1.2.3.4"},
            {"::FFFF:1.2.3.4", "::ffff:1.2.3.4"},
            {"2001:DB8::A", "2001:db8::a"},
            {"FD00:0077:0000:0000:0000:0000:0000:0000", "fd00:77::"},
            {"FEC0:0::1", "fec0::1"},
            {"::", "::"},
            {"::1", "::1"},
            {"0:0:0:0:0:0:0:0", "::"},
            {"1::", "1::"},
            {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
            {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
            {"192.168.1.1", "192.168.1.1"},
            {"0.0.0.0", "0.0.0.0"},
            {"255.255.255.255", "255.255.255.255"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], InetText.format(InetText.parse(c[0])), c[0]);
        }
    }

    @Test
    void refusesWhatInetPtonRefuses() {
        for (String bad : new String[] {"", "010.1.1.1", "10.1", "1.2.3.4.5", "256.1.1.1", "1.2.3.", ".1.2.3",
                "a.b.c.d", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "1:", "12345::", "::g", "1:2:3:4:5:6:7:1.2.3.4",
                "::1.2.3", "localhost", "[::]", "fe80::1%lo", " 1.2.3.4", "1.2.3.4 ", "1:2:3:4:5:6:7:8::",
                "::1.2.3.04", "1.2.3.4/8"}) {
            assertFalse(InetText.isLiteral(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> InetText.parse(bad), bad);
        }
        assertTrue(InetText.isLiteral("1:2:3:4:5:6:1.2.3.4"));
        assertTrue(InetText.isLiteral("::1:2:3:4:5:6:7"));
    }

    @Test
    void agreesWithTheJdkOnRandomAddresses() throws Exception {
        Random rnd = new Random(42);
        for (int i = 0; i < 5000; i++) {
            byte[] a = new byte[16];
            for (int j = 0; j < 16; j++) {
                a[j] = rnd.nextInt(3) == 0 ? (byte) rnd.nextInt(256) : 0;
            }
            String text = InetText.format(a);
            assertArrayEquals(a, InetText.parse(text), text);
            // the JDK prints every group; parse that too
            InetAddress jdk = InetAddress.getByAddress(a);
            if (jdk instanceof java.net.Inet6Address) {
                assertArrayEquals(a, InetText.parse(jdk.getHostAddress()), jdk.getHostAddress());
            }
        }
    }

    @Test
    void formatsEndpointsAsOperatorsWriteThem() throws Exception {
        assertEquals("10.0.0.1:4444", InetText.format(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 4444)));
        assertEquals("[::]:4444", InetText.format(new InetSocketAddress(InetAddress.getByName("::"), 4444)));
        assertEquals("[fd00:1::2]:5", InetText.format(new InetSocketAddress(InetAddress.getByName("fd00:1:0:0:0:0:0:2"), 5)));
        assertEquals("[fd00:0:1::]:5", InetText.format(new InetSocketAddress(InetAddress.getByName("fd00:0:1::"), 5)));
        assertEquals("[1:2:3:4:5:6:7:8]:9", InetText.format(new InetSocketAddress(InetAddress.getByName("1:2:3:4:5:6:7:8"), 9)));
        assertEquals("[fe80::1%1]:9", InetText.format(new InetSocketAddress(
                java.net.Inet6Address.getByAddress(null, InetText.parse("fe80::1"), 1), 9)));
        assertEquals("example.invalid:7", InetText.format(InetSocketAddress.createUnresolved("example.invalid", 7)));
    }

    @Test
    void resolveHonoursTheFamily() throws Exception {
        assertTrue(AddressFamily.IPV4.resolve("127.0.0.1") instanceof java.net.Inet4Address);
        assertTrue(AddressFamily.IPV6.resolve("::1") instanceof java.net.Inet6Address);
        assertThrows(java.net.UnknownHostException.class, () -> AddressFamily.IPV6.resolve("127.0.0.1"));
    }
}
