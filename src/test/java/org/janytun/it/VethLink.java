package org.janytun.it;

/**
 * A veth pair between two test namespaces with addresses from the test-private ranges
 * {@code 10.201.<subnet>.0/24} and {@code fd21:<subnet>::/64}: side a gets {@code .1} / {@code ::1}, side b
 * {@code .2} / {@code ::2}. The addresses exist only inside the namespaces. IPv6 addresses are added with
 * {@code nodad}, so both families work at once. Deleting either namespace deletes the pair.
 */
public record VethLink(Netns a, String devA, Netns b, String devB, int subnet) {

    /** Creates the pair directly inside the namespaces (names are unique there; nothing touches the host). */
    public static VethLink connect(Netns a, Netns b, int subnet) {
        if (subnet < 1 || subnet > 254) {
            throw new IllegalArgumentException("subnet " + subnet);
        }
        String id = Netns.randomId(4);
        String devA = "jt" + id + "a" + subnet; // <= 15 characters
        String devB = "jt" + id + "b" + subnet;
        a.ip("link", "add", devA, "type", "veth", "peer", "name", devB, "netns", b.name());
        VethLink link = new VethLink(a, devA, b, devB, subnet);
        a.ip("addr", "add", link.v4(a) + "/24", "dev", devA);
        b.ip("addr", "add", link.v4(b) + "/24", "dev", devB);
        a.ip("addr", "add", link.v6(a) + "/64", "dev", devA, "nodad");
        b.ip("addr", "add", link.v6(b) + "/64", "dev", devB, "nodad");
        a.ip("link", "set", devA, "up");
        b.ip("link", "set", devB, "up");
        return link;
    }

    /** IPv4 address of {@code side} on this link. */
    public String v4(Netns side) {
        return "10.201." + subnet + "." + hostPart(side);
    }

    /** IPv6 address of {@code side} on this link. */
    public String v6(Netns side) {
        return "fd21:" + subnet + "::" + hostPart(side);
    }

    /** The address of {@code side} in the given family. */
    public String addr(Netns side, boolean ipv6) {
        return ipv6 ? v6(side) : v4(side);
    }

    private int hostPart(Netns side) {
        if (side == a) {
            return 1;
        }
        if (side == b) {
            return 2;
        }
        throw new IllegalArgumentException(side + " is not on link " + devA + "/" + devB);
    }
}
