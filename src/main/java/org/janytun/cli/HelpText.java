package org.janytun.cli;

/** The {@code --help} and {@code --version} texts of janytun (our own wording). */
final class HelpText {
    private HelpText() {}

    /** The SATP implementations janytun is a drop-in replacement for. */
    static final String COMPATIBILITY = "SATP compatible with anytun 0.3.8 and uanytun 0.3.7";

    static String version() {
        return version("janytun");
    }

    /** {@code --version} of any of the programs: its name, the version, and what it is compatible with. */
    static String version(String prog) {
        return prog + " " + Version.get() + "\n" + COMPATIBILITY + "\n";
    }

    static String usage(String prog) {
        return """
                Usage: %1$s [OPTION]...
                Secure Anycast Tunneling Protocol (SATP) VPN daemon: carries IP packets (tun) or Ethernet frames
                (tap) over UDP. Takes the options of anytun(8); %2$s.

                General:
                  -h, --help                      print this help and exit
                  -v, --version                   print the version and exit
                      --config <file>             read options from <file> first, one long option per line
                                                  without '--' (e.g. "remote-host 10.0.0.1"); options on the
                                                  command line override them

                Process:
                  -D, --nodaemonize               stay in the foreground (default: become a daemon)
                  -u, --username <user>           switch to <user> after start-up (default: keep privileges)
                  -g, --groupname <group>         switch to <group> (default: the user's group; needs -u)
                  -C, --chroot <dir>              change root to <dir> after start-up (default: none)
                  -P, --write-pid <file>          write the process id to <file> (default: none)

                Logging:
                  -L, --log <target>:<level>[,<param>...]
                                                  add a log target; repeatable, but only 'file' more than once:
                                                    syslog:<level>[,<name>[,<facility>]]
                                                            (facility: daemon, user, local0..local7, auth, ...)
                                                    file:<level>[,<path>]   (path default: %1$s.log)
                                                    stdout:<level>
                                                    stderr:<level>
                                                  levels: 0 off, 1 error, 2 warning, 3 notice, 4 info, 5 debug
                                                  (default: syslog:3,%1$s,daemon)
                  -U, --debug                     log everything to stdout (stdout:5) and stay in the foreground

                Network:
                  -i, --interface <address>       local address to bind to and send from; an anycast endpoint
                                                  gives its anycast address (default: all addresses)
                  -p, --port <port>               local UDP port (default: 4444)
                  -r, --remote-host <host>        remote endpoint (default: learned from the first authentic
                                                  packet)
                  -o, --remote-port <port>        remote UDP port (default: 4444)
                  -4, --ipv4-only                 use IPv4 only (default: IPv4 and IPv6)
                  -6, --ipv6-only                 use IPv6 only

                Device:
                  -d, --dev <name>                interface name (default: chosen by the kernel, tunN or tapN)
                  -t, --type <tun|tap>            tun carries IP packets, tap Ethernet frames (default: from the
                                                  -d name, else tun)
                  -n, --ifconfig <address>/<prefix>
                                                  give the device this address and bring it up with MTU 1400
                                                  (or --mtu); IPv4, or IPv6 as a janytun extension
                                                  (default: leave it down)
                  -x, --post-up-script <file>     run <file> with the device name as its argument once the
                                                  device exists (default: none)
                      --mtu <bytes>               the MTU -n sets (default: 1400, as the references; at most
                                                  1580 with a 10-byte tag, 14 less on tap)

                Tunnel:
                  -e, --role <role>               left (or alice, server) or right (or bob, client); the two ends
                                                  must differ (default: left)
                  -m, --mux <0..65535>            multiplex id; both ends use the same (default: 0)
                  -s, --sender-id <0..65535>      id of this node, unique among the nodes sharing one anycast
                                                  address and key (default: 0)
                  -w, --window-size <packets>     replay window size; 0 turns replay protection off (default: 0)
                      --keepalive <seconds>       send an authentic empty packet to a peer that has been sent
                                                  nothing for this long, to keep NAT mappings open (default: 0,
                                                  none; uanytun logs a warning for each, anytun nothing)

                Keys and algorithms:
                  -E, --passphrase <text>         derive the master key and salt from <text>
                  -K, --key <hex>                 master key: 32, 48 or 64 hex digits, the size -k needs
                                                  (overrides the key derived from -E)
                  -A, --salt <hex>                master salt: 28 hex digits (overrides the salt derived from -E)
                  -k, --kd-prf <prf>              key derivation: null, aes-ctr (= aes-ctr-128), aes-ctr-128,
                                                  aes-ctr-192 or aes-ctr-256 (default: aes-ctr)
                  -c, --cipher <cipher>           payload encryption: null, aes-ctr (= aes-ctr-128), aes-ctr-128,
                                                  aes-ctr-192 or aes-ctr-256 (default: aes-ctr)
                  -a, --auth-algo <algo>          authentication: null or sha1 (HMAC-SHA1) (default: sha1)
                  -b, --auth-tag-length <bytes>   authentication tag length, at most 20 (default: 10; always 0
                                                  with -a null)

                SATP sessions (janytun to janytun: a hybrid post-quantum handshake, AEAD, re-keying):
                      --private-key <file>        this host's private key (janytun-key genkey); replaces -E/-K/-A
                      --peer-public-key <key>     the peer's public key (janytun-key pubkey on the peer)
                      --psk-file <file>           a pre-shared key for this peer (janytun-key genpsk; optional)
                      --peers <file>              a server of many peers: one per line, "public-key=<key> mux=<n>
                                                  [routes=<prefix>,...] [psk-file=<file>]"; re-read on reload;
                                                  may be combined with -X for static-key clients
                      --suite <suite>             aes-256-gcm or chacha20-poly1305 (default: aes-256-gcm)
                      --no-pq                     the classic handshake, without ML-KEM-768
                      --rekey-after <seconds>     start a new handshake after this many seconds, 2..120
                                                  (default: 120)

                Multi-client server and anycast cluster (anytun):
                  -X, --control-host <host[:port]>
                                                  take connections and routes from this control daemon
                                                  (janytun-controld or anytun-controld; default port 2323)
                  -R, --route <network>/<prefix>  route this network to the connection with this -m; repeatable
                                                  (used with -X or -M on a tun device)
                  -S, --sync-port <port>          listen on this TCP port for the other cluster nodes; it hands
                                                  out every master key unless --sync-secret-file is given
                  -I, --sync-interface <address>  listen for them on this address only (default: all addresses)
                  -M, --sync-hosts <host[:port]>[,...]
                                                  take connection and route state from these nodes (default
                                                  port 2323)
                      --sync-archive-version <n>  Boost archive version written to the nodes: 18 for anytun 0.3.8
                                                  (Debian 12); any version is read (default: 18)
                      --sync-secret-file <file>   authenticate and encrypt every sync connection with the
                                                  cluster secret in <file> (janytun nodes only)

                RAIL (uanytun development version; janytun also with other local addresses):
                  -Y, --rail-mode                 send every packet on each link, drop the copies by the
                                                  window (needs -w 64 or more); implied by a port range
                  -p, --port <low:high>           one link per local port
                  -o, --remote-port <low:high>    remote port low+i for link i
                      --rail-link <local[:port]>=[<remote>[:port]]
                                                  a link from its own local address (another uplink); repeat
                                                  for each (ports default to -p/-o, the remote to -r)
                      --rail-spread               send each packet on one link in turn instead of on each
                                                  (more bandwidth, no redundancy)

                Operating the daemon (janytun):
                      --state-dir <dir>           keep the sequence lease here, so that a restart never reuses a
                                                  sequence number (default: /var/lib/janytun/<dev>)
                      --allow-seq-wrap            let the 32-bit sequence counter wrap to 0, repeating keystream
                                                  (default: stop sending on that connection until the key is
                                                  rotated)
                      --control-socket <path>     where janytun-ctl reaches this daemon (owner-only Unix socket;
                                                  default: /run/janytun/<dev>.ctl)
                      --metrics [<address>:]<port>
                                                  serve Prometheus metrics on http://<address>:<port>/metrics
                                                  (address default: 127.0.0.1; default: no metrics)
                      --capacity <n>              hold at most <n> connections from -X/-M (1 to 65536, the
                                                  default); a larger table is refused and the current one
                                                  stays; the launcher sizes the heap by it

                Names of algorithms and roles are case-insensitive. An option's argument may not begin with '-'.
                Secrets given on the command line are visible to other users in the process list: prefer
                --config with a file only root can read.
                Exit status: 0 success, 1 failure at run time, 2 command-line error.
                """.formatted(prog, COMPATIBILITY);
    }
}
