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
    @Option(names = "--suite") String suite;
    @Option(names = "--no-pq") boolean noPq;
    @Option(names = "--rekey-after") String rekeyAfter;

    /** Longest key file read: a base64 key with a newline, and some slack. */
    private static final int MAX_KEY_FILE = 256;

    /** Whether any session option was given (then {@code --private-key} and {@code --peer-public-key} are needed). */
    boolean any() {
        return privateKey != null || peerPublicKey != null || pskFile != null || suite != null || noPq
                || rekeyAfter != null;
    }

    /**
     * The checked settings, or empty when no session option was given.
     *
     * @param legacy the legacy key options given on the same command line (names as {@code -K/--key})
     * @param unsupported options given that SATP sessions do not support yet
     */
    Optional<SessionSettings> settings(List<String> legacy, List<String> unsupported, List<String> warnings)
            throws UsageException {
        if (!any()) {
            return Optional.empty();
        }
        String first = firstGiven();
        if (!legacy.isEmpty()) {
            throw new UsageException(first, "cannot be combined with " + legacy.getFirst() + ": SATP sessions"
                    + " negotiate their keys; -E/-K/-A/-k/-c/-a/-b are for static-key SATP with anytun and uanytun");
        }
        if (!unsupported.isEmpty()) {
            throw new UsageException(first, "cannot be combined with " + unsupported.getFirst() + " yet: SATP"
                    + " sessions serve one peer per daemon");
        }
        if (privateKey == null) {
            throw new UsageException("--private-key", "is needed for an SATP session (make one with"
                    + " janytun-key genkey)");
        }
        if (peerPublicKey == null) {
            throw new UsageException("--peer-public-key", "is needed for an SATP session (the output of"
                    + " janytun-key pubkey on the peer)");
        }
        Secret priv = keyFile("--private-key", privateKey, warnings);
        byte[] peer = KeyMain.decode(peerPublicKey);
        if (peer == null) {
            throw new UsageException("--peer-public-key", "not a public key (base64 of 32 bytes, as janytun-key pubkey"
                    + " prints it)");
        }
        Optional<Secret> psk = pskFile == null ? Optional.empty() : Optional.of(keyFile("--psk-file", pskFile, warnings));
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
        return Optional.of(new SessionSettings(priv, peer, psk, algorithm, !noPq, rekey));
    }

    private String firstGiven() {
        return privateKey != null ? "--private-key" : peerPublicKey != null ? "--peer-public-key"
                : pskFile != null ? "--psk-file" : suite != null ? "--suite" : noPq ? "--no-pq" : "--rekey-after";
    }

    /** A key file: base64 of 32 bytes on one line (janytun-key's and wg's format); warns if others may read it. */
    private static Secret keyFile(String option, String file, List<String> warnings) throws UsageException {
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

    private static String reason(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
    }
}
