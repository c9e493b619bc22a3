package org.janytun.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.janytun.config.Secret;
import org.janytun.config.SessionPeerSettings;

/**
 * A server's {@code --peers} file: one SATP-session peer per line, in the words {@code janytun-ctl add} takes,
 *
 * <pre>
 *   # alice's laptop
 *   public-key=BASE64 mux=1 routes=10.1.0.0/24,fd00:1::/64 psk-file=/etc/janytun/alice.psk
 * </pre>
 *
 * {@code public-key=} and {@code mux=} are needed, each at most once in the file; {@code routes=} and
 * {@code psk-file=} are optional. Blank lines and lines starting with {@code #} are skipped. Any error names the
 * file and line, and nothing of the file is used.
 */
final class PeersFile {
    /** More than 65,535 peers' lines with long route lists; a larger file is refused before it is read. */
    static final long MAX_SIZE = 64L << 20;
    private static final Set<String> WORDS = Set.of("public-key", "mux", "routes", "psk-file");

    private PeersFile() {
    }

    static List<SessionPeerSettings> read(String file, List<String> warnings) throws UsageException {
        Path p = Path.of(file);
        String text;
        try {
            if (Files.size(p) > MAX_SIZE) {
                throw new UsageException("--peers", file + ": larger than " + (MAX_SIZE >> 20) + " MiB");
            }
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("--peers", "cannot read " + file + ": " + SessionOptions.reason(e));
        }
        return parse(file, text, warnings);
    }

    static List<SessionPeerSettings> parse(String file, String text, List<String> warnings) throws UsageException {
        List<SessionPeerSettings> peers = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        Set<Integer> muxes = new HashSet<>();
        String[] lines = text.split("\n", -1);
        try {
            for (int n = 0; n < lines.length; n++) {
                String line = lines[n].strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String where = file + " line " + (n + 1) + ": ";
                Map<String, String> words = new HashMap<>();
                for (String w : line.split("\\s+")) {
                    int eq = w.indexOf('=');
                    String k = eq < 0 ? w : w.substring(0, eq);
                    if (eq < 0 || !WORDS.contains(k)) {
                        throw new UsageException("--peers", where + "'" + w + "': expected public-key=, mux=,"
                                + " routes= or psk-file=");
                    }
                    if (words.put(k, w.substring(eq + 1)) != null) {
                        throw new UsageException("--peers", where + k + "= given twice");
                    }
                }
                Optional<Secret> psk = Optional.empty();
                if (words.containsKey("psk-file")) {
                    psk = Optional.of(SessionOptions.keyFile("--peers", words.get("psk-file"), warnings));
                }
                SessionPeerSettings peer;
                try {
                    peer = SessionPeerSettings.fromWords(words, psk);
                } catch (IllegalArgumentException e) {
                    psk.ifPresent(Secret::destroy);
                    throw new UsageException("--peers", where + e.getMessage());
                }
                peers.add(peer);
                if (!keys.add(peer.publicKeyText())) {
                    throw new UsageException("--peers", where + "public key " + peer.publicKeyText()
                            + " is on an earlier line too");
                }
                if (!muxes.add(peer.mux())) {
                    throw new UsageException("--peers", where + "mux " + peer.mux() + " is on an earlier line too");
                }
            }
        } catch (UsageException e) {
            peers.forEach(p -> p.psk().ifPresent(Secret::destroy));
            throw e;
        }
        return peers;
    }
}
