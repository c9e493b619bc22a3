package org.janytun.it;

/**
 * A server namespace and {@code n} client namespaces, each client joined to the server by its own veth pair, with
 * forwarding on the server (clients reach each other through it). Clients and links are numbered from 1.
 */
final class StarNet implements AutoCloseable {
    final Netns server;
    final Netns[] clients;
    final VethLink[] links;

    private StarNet(Netns server, int n) {
        this.server = server;
        this.clients = new Netns[n + 1];
        this.links = new VethLink[n + 1];
    }

    /** {@code subnetBase + i} numbers client i's link; the tags name the namespaces. */
    static StarNet create(String serverTag, String clientTag, int n, int subnetBase) {
        Preflight.require();
        StarNet net = new StarNet(Netns.create(serverTag), n);
        try {
            for (int i = 1; i <= n; i++) {
                net.clients[i] = Netns.create(clientTag + i);
                net.links[i] = VethLink.connect(net.clients[i], net.server, subnetBase + i);
            }
            net.server.sysctl("net.ipv4.ip_forward", "1");
            net.server.sysctl("net.ipv6.conf.all.forwarding", "1");
            net.server.sysctl("net.ipv4.conf.all.send_redirects", "0");
            return net;
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    /** Removes every namespace (the veth pairs go with them). */
    @Override
    public void close() {
        for (Netns n : clients) {
            if (n != null) {
                n.close();
            }
        }
        server.close();
    }
}
