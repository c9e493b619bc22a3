package org.janytun.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.janytun.config.Secret;
import org.janytun.config.SessionPeerSettings;
import org.janytun.config.SessionSettings;
import org.janytun.crypto.AeadAlgorithm;
import org.janytun.noise.Secrets;
import org.janytun.text.Digits;
import picocli.CommandLine.Option;

/**
 * The options of key-exchanged SATP sessions (docs/SATP-SESSIONS.md §11), a mixin of {@link JanytunOptions}. The
 * key files are read here, so that a missing or malformed key is one error line before anything is opened.
 */
final class SessionOptions {
    @Option(names = "--private-key") String privateKey;
    @Option(names = "--peer-public-key") String peerPublicKey;
    @Option(names = "--psk-file") String pskFile;
    @Option(names = "--peers") String peersFile;
    @Option(names = "--suite") String suite;
    @Option(names = "--no-pq") boolean noPq;
    @Option(names = "--rekey-after") String rekeyAfter;

    /** Longest key file read: a base64 key with a newline, and some slack. */
    private static final int MAX_KEY_FILE = 256;

    /** Whether any session option was given (then {@code --private-key} and {@code --peer-public-key} are needed). */
    boolean any() {
        return privateKey != null || peerPublicKey != null || pskFile != null || peersFile != null || suite != null
                || noPq || rekeyAfter != null;
    }

    /**
     * The checked settings, or empty when no session option was given.
     *
     * @param legacy the legacy key options given on the same command line (names as {@code -K/--key})
     * @param unsupported options given that SATP sessions do not support yet
     * @param controlHost  {@code -X}, if given: a server of SATP sessions ({@code --peers}) may also serve the
     *                     static-key connections of a control host
     * @param mux          {@code -m}: the one peer's mux on a point-to-point tunnel
     */
    Optional<SessionSettings> settings(List<String> legacy, List<String> unsupported, Optional<String> controlHost,
                                       int mux, List<String> warnings) throws UsageException {
        if (!any()) {
            return Optional.empty();
        }
        String first = firstGiven();
        if (!legacy.isEmpty()) {
            throw new UsageException(first, "cannot be combined with " + legacy.getFirst() + ": SATP sessions"
                    + " negotiate their keys; -E/-K/-A/-k/-c/-a/-b are for static-key SATP with anytun and uanytun"
                    + (peersFile != null ? " (a server's static-key clients come from its control host, -X)" : ""));
        }
        if (controlHost.isPresent() && peersFile == null) {
            throw new UsageException(first, "cannot be combined with -X/--control-host: a point-to-point SATP"
                    + " session serves one peer (a server takes its SATP-session peers from --peers FILE, and may"
                    + " serve a control host's static-key clients beside them)");
        }
        if (!unsupported.isEmpty()) {
            throw new UsageException(first, "cannot be combined with " + unsupported.getFirst() + " yet: SATP"
                    + " sessions do not span a cluster or RAIL links");
        }
        if (privateKey == null) {
            throw new UsageException("--private-key", "is needed for an SATP session (make one with"
                    + " janytun-key genkey)");
        }
        if (peersFile != null && (peerPublicKey != null || pskFile != null)) {
            throw new UsageException(peerPublicKey != null ? "--peer-public-key" : "--psk-file", "cannot be combined"
                    + " with --peers: a server's peers (and their psk-file=) are the lines of its peers file");
        }
        if (peerPublicKey == null && peersFile == null) {
            throw new UsageException("--peer-public-key", "is needed for an SATP session (the output of"
                    + " janytun-key pubkey on the peer), or --peers FILE for a server of many");
        }
        AeadAlgorithm algorithm = AeadAlgorithm.AES_256_GCM;
        if (suite != null) {
            algorithm = AeadAlgorithm.parse(suite).orElseThrow(() -> new UsageException("--suite",
                    "'" + suite + "': expected aes-256-gcm or chacha20-poly1305"));
        }
        long rekey = SessionSettings.DEFAULT_REKEY_AFTER;
        if (rekeyAfter != null) {
            rekey = Digits.decimal(rekeyAfter, 4);
            if (rekey < 2 || rekey > SessionSettings.DEFAULT_REKEY_AFTER) {
                throw new UsageException("--rekey-after", "must be a number of seconds from 2 to "
                        + SessionSettings.DEFAULT_REKEY_AFTER);
            }
        }
        if (peersFile != null) {
            Secret priv = keyFile("--private-key", privateKey, warnings);
            try {
                return Optional.of(new SessionSettings(priv, PeersFile.read(peersFile, warnings),
                        Optional.of(peersFile), algorithm, !noPq, rekey));
            } catch (UsageException e) {
                priv.destroy();
                throw e;
            }
        }
        byte[] peer = KeyMain.decode(peerPublicKey);
        if (peer == null) {
            throw new UsageException("--peer-public-key", "not a public key (base64 of 32 bytes, as janytun-key pubkey"
                    + " prints it)");
        }
        if (mux == 0xFFFF) {
            throw new UsageException("-m/--mux", "65535 carries an SATP session's handshakes: give 0 to 65534");
        }
        Secret priv = keyFile("--private-key", privateKey, warnings);
        Optional<Secret> psk = pskFile == null ? Optional.empty() : Optional.of(keyFile("--psk-file", pskFile, warnings));
        return Optional.of(new SessionSettings(priv, List.of(new SessionPeerSettings(peer, mux, List.of(), psk)),
                Optional.empty(), algorithm, !noPq, rekey));
    }

    private String firstGiven() {
        return privateKey != null ? "--private-key" : peerPublicKey != null ? "--peer-public-key"
                : peersFile != null ? "--peers" : pskFile != null ? "--psk-file" : suite != null ? "--suite" : noPq ? "--no-pq" : "--rekey-after";
    }

    /** A key file: base64 of 32 bytes on one line (janytun-key's and wg's format); warns if others may read it. */
    static Secret keyFile(String option, String file, List<String> warnings) throws UsageException {
        Path p = Path.of(file);
        byte[] raw = null;
        try {
            if (Files.size(p) > MAX_KEY_FILE) {
                throw new UsageException(option, file + ": not a key file (base64 of 32 bytes on one line)");
            }
            raw = Files.readAllBytes(p);
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                warnings.add(option + " " + file + " is readable by others: chmod 600 it");
            }
        } catch (IOException e) {
            throw new UsageException(option, "cannot read " + file + ": " + reason(e));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: no permission check
        }
        byte[] key = KeyMain.decode(new String(raw, StandardCharsets.US_ASCII));
        Secrets.wipe(raw);
        if (key == null) {
            throw new UsageException(option, file + ": not a key file (base64 of 32 bytes on one line)");
        }
        Secret s = Secret.of(key);
        Secrets.wipe(key);
        return s;
    }

    static String reason(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
    }
}
