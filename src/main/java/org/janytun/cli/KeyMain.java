package org.janytun.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.janytun.noise.Secrets;
import org.janytun.noise.X25519;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/janytun-key}: X25519 identities and PSKs for SATP sessions, base64 as WireGuard's {@code wg} writes
 * them (so either tool reads the other's keys). {@code genkey} prints a new private key, {@code pubkey} turns a
 * private key on stdin into its public key, {@code genpsk} prints a new 32-byte pre-shared key. Secrets are never
 * echoed in errors.
 */
public final class KeyMain {
    private static final int KEY_BYTES = 32;
    /** Longest stdin accepted for pubkey: a base64 key with surrounding whitespace, nothing more. */
    private static final int MAX_INPUT = 256;

    private KeyMain() {}

    @Command(name = "janytun-key")
    static final class Options extends SharedOptions.Help {
        @Parameters List<String> words = new ArrayList<>();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, new SecureRandom()));
    }

    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, SecureRandom random) {
        String prog = JanytunOptions.programName("janytun-key");
        Options o = new Options();
        String command;
        try {
            JanytunOptions.fill(o, List.of(args), null);
            if (o.answered(prog, () -> usage(prog), out)) {
                return 0;
            }
            if (o.words.size() != 1) {
                throw new UsageException("command", o.words.isEmpty() ? "give genkey, pubkey or genpsk"
                        : "exactly one of genkey, pubkey, genpsk");
            }
            command = o.words.get(0);
            if (!List.of("genkey", "pubkey", "genpsk").contains(command)) {
                throw new UsageException("command", "unknown command (give genkey, pubkey or genpsk)");
            }
        } catch (UsageException e) {
            err.println(prog + ": " + e.getMessage());
            return JanytunOptions.EXIT_USAGE;
        }
        switch (command) {
            case "genkey" -> out.println(encode(privateKey(random)));
            case "genpsk" -> {
                byte[] psk = new byte[KEY_BYTES];
                random.nextBytes(psk);
                out.println(encode(psk));
            }
            default -> {
                byte[] priv;
                try {
                    priv = readKey(in);
                } catch (IOException e) {
                    err.println(prog + ": stdin: " + e.getMessage());
                    return 1;
                }
                if (priv == null) {
                    err.println(prog + ": stdin: not a private key (base64 of 32 bytes, as genkey writes)");
                    return 1;
                }
                out.println(encode(X25519.fromPrivate(priv).publicKey()));
                Secrets.wipe(priv);
            }
        }
        out.flush();
        return out.checkError() ? 1 : 0;
    }

    /** 32 random bytes clamped as RFC 7748 (and {@code wg genkey}) do, so the key is the scalar actually used. */
    static byte[] privateKey(SecureRandom random) {
        byte[] k = new byte[KEY_BYTES];
        random.nextBytes(k);
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return k;
    }

    /** A base64 32-byte key from {@code in} (whitespace around it allowed), or null if it is anything else. */
    static byte[] readKey(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[MAX_INPUT + 1];
        int n;
        while ((n = in.read(chunk)) > 0 && buf.size() <= MAX_INPUT) {
            buf.write(chunk, 0, n);
        }
        byte[] raw = buf.toByteArray();
        String text = new String(raw, StandardCharsets.US_ASCII).strip();
        Secrets.wipe(raw);
        Secrets.wipe(chunk);
        return buf.size() > MAX_INPUT ? null : decode(text);
    }

    /** A base64 32-byte key (whitespace around it allowed), or null if {@code text} is anything else. */
    static byte[] decode(String text) {
        return org.janytun.config.KeyText.decode(text);
    }

    static String encode(byte[] key) {
        return org.janytun.config.KeyText.encode(key);
    }

    static String usage(String prog) {
        return """
                Usage: %1$s genkey | pubkey | genpsk
                Makes keys for janytun's SATP sessions, base64 on one line (the format of wg(8)).

                  genkey      print a new X25519 private key
                  pubkey      read a private key on stdin, print its public key
                  genpsk      print a new 32-byte pre-shared key
                  -h, --help      print this help and exit
                  -v, --version   print the version and exit

                Keep private keys and PSKs unreadable to others: create them under umask 077, e.g.
                  umask 077; %1$s genkey > private.key; %1$s pubkey < private.key > public.key
                Exit status: 0 success, 1 bad input on stdin or a write error, 2 command-line error.
                """.formatted(prog);
    }
}
