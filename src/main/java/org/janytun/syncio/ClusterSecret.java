package org.janytun.syncio;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.crypto.KDF;
import javax.crypto.Mac;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The protected sync mode between janytun nodes ({@code --sync-secret-file}): every node of the cluster holds the
 * same secret, and a sync connection is only used once both ends have proved that they hold it. What the listener
 * sends is then encrypted and authenticated ({@link SealedStreams}). anytun's own sync protocol has neither, and
 * hands every master key to whoever connects (SYNC.md §6.5).
 *
 * <p>The handshake (C the connector, L the listener; {@code n} are 32 random bytes each):
 * <pre>
 *   C -> L  MAGIC nC
 *   L -> C  MAGIC nL
 *   C -> L  HMAC-SHA256(Ka, "connector" nC nL)      L checks it, else closes having sent nothing but nL
 *   L -> C  HMAC-SHA256(Ka, "listener"  nC nL)      C checks it, else closes having read nothing
 *   L => C  AES-256-GCM records under Kd
 * </pre>
 * with {@code PRK = HKDF-Extract("janytun-sync-1", secret)}, {@code Ka = HKDF-Expand(PRK, "auth", 32)} and
 * {@code Kd = HKDF-Expand(PRK, "data" nC nL, 32)}. The connector proves itself first, so a stranger who connects to a
 * listener learns nothing it could use to guess the secret offline; both nonces make every connection's keys fresh,
 * so nothing recorded can be replayed. The secret should be random: at least 16 bytes are required, and
 * {@code head -c 32 /dev/urandom | base64 > FILE} makes a good one.
 */
public final class ClusterSecret implements SyncGuard {
    static final byte[] MAGIC = "JSYNC1\r\n".getBytes(StandardCharsets.US_ASCII);
    static final int NONCE = 32;
    static final int TAG = 32;
    public static final int MIN_SECRET = 16;
    public static final long MAX_FILE = 4096;
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 5000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] prk;
    private final byte[] authKey;

    private ClusterSecret(byte[] secret) {
        try {
            KDF hkdf = KDF.getInstance("HKDF-SHA256");
            this.prk = hkdf.deriveData(HKDFParameterSpec.ofExtract().addIKM(secret)
                    .addSalt("janytun-sync-1".getBytes(StandardCharsets.US_ASCII)).extractOnly());
            this.authKey = expand(prk, "auth".getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks HKDF-SHA256", e);
        }
    }

    /** A guard for {@code secret} (tests; the daemon reads a file). */
    public static ClusterSecret of(byte[] secret) {
        if (secret.length < MIN_SECRET) {
            throw new IllegalArgumentException("the cluster secret must have at least " + MIN_SECRET + " bytes");
        }
        return new ClusterSecret(secret);
    }

    /**
     * Reads the secret file: its bytes, without trailing white space.
     *
     * @param warnings receives a warning when the file is readable by others
     * @throws IOException when it cannot be read, is too big, or holds fewer than {@value #MIN_SECRET} bytes
     */
    public static ClusterSecret read(Path file, List<String> warnings) throws IOException {
        byte[] all = readSecretBytes(file);
        int end = all.length;
        while (end > 0 && Character.isWhitespace(all[end - 1])) {
            end--;
        }
        if (end < MIN_SECRET) {
            throw new IOException(file + " holds " + end + " bytes; a cluster secret needs at least " + MIN_SECRET
                    + " (e.g. head -c 32 /dev/urandom | base64 > " + file + ")");
        }
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.GROUP_READ)) {
                warnings.add(file + " is readable by other users: chmod 600 it");
            }
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: nothing to check
        }
        byte[] secret = Arrays.copyOf(all, end);
        Arrays.fill(all, (byte) 0);
        ClusterSecret s = new ClusterSecret(secret);
        Arrays.fill(secret, (byte) 0);
        return s;
    }

    /** Overwrites the derived keys; the guard is unusable afterwards. */
    void wipe() {
        Arrays.fill(prk, (byte) 0);
        Arrays.fill(authKey, (byte) 0);
    }

    /**
     * Checks, before anything is opened, that {@link #read} will succeed on {@code file}; keeps nothing of it.
     *
     * @throws IOException with a one-line reason naming the file
     */
    public static void check(Path file) throws IOException {
        read(file, new java.util.ArrayList<>()).wipe();
    }

    /** The file's bytes, or an exception whose message says why not (the JDK's names only the file). */
    private static byte[] readSecretBytes(Path file) throws IOException {
        try {
            if (Files.size(file) > MAX_FILE) {
                throw new IOException(file + " is larger than " + MAX_FILE + " bytes: not a secret file");
            }
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException(file + ": permission denied", e);
        } catch (java.nio.file.FileSystemException e) {
            throw new IOException(file + ": " + (e.getReason() != null ? e.getReason() : "cannot be read"), e);
        }
    }

    @Override
    public OutputStream admit(Socket socket) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
        OutputStream sealed = admit(socket.getInputStream(), socket.getOutputStream());
        socket.setSoTimeout(timeout);
        return sealed;
    }

    /** The listener's side of the handshake on a connector's streams (the fuzz target takes it from here). */
    OutputStream admit(InputStream raw, OutputStream out) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        if (!greeted(in)) {
            throw new IOException("not a protected janytun sync connector (a plain anytun, or the secret file is"
                    + " missing on that node)");
        }
        byte[] nc = new byte[NONCE];
        in.readFully(nc);
        byte[] nl = random();
        out.write(concat(MAGIC, nl));
        out.flush();
        byte[] tagC = new byte[TAG];
        in.readFully(tagC);
        if (!MessageDigest.isEqual(tagC, proof("connector", nc, nl))) {
            throw new IOException("the connector does not hold the cluster secret");
        }
        out.write(proof("listener", nc, nl));
        out.flush();
        return SealedStreams.output(out, dataKey(nc, nl));
    }

    @Override
    public InputStream open(Socket socket) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
        InputStream sealed = open(socket.getInputStream(), socket.getOutputStream());
        socket.setSoTimeout(timeout);
        return sealed;
    }

    /** The connector's side of the handshake on a listener's streams (the fuzz target takes it from here). */
    InputStream open(InputStream raw, OutputStream out) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] nc = random();
        out.write(concat(MAGIC, nc));
        out.flush();
        boolean greeted;
        try {
            greeted = greeted(in);
        } catch (EOFException e) {
            throw new IOException("the listener closed the connection during the handshake (not a protected janytun"
                    + " node, or it does not hold our cluster secret)");
        }
        if (!greeted) {
            throw new IOException("the listener does not speak protected sync (a plain anytun node, or no secret file"
                    + " there)");
        }
        byte[] nl = new byte[NONCE];
        in.readFully(nl);
        out.write(proof("connector", nc, nl));
        out.flush();
        byte[] tagL = new byte[TAG];
        try {
            in.readFully(tagL);
        } catch (EOFException e) {
            throw new IOException("the listener refused us: it holds another cluster secret");
        }
        if (!MessageDigest.isEqual(tagL, proof("listener", nc, nl))) {
            throw new IOException("the listener does not hold the cluster secret");
        }
        return SealedStreams.input(in, dataKey(nc, nl));
    }

    @Override
    public boolean isProtected() {
        return true;
    }

    @Override
    public String toString() {
        return "protected (cluster secret, AES-256-GCM)";
    }

    /** Reads the other side's first bytes: whether they are our {@link #MAGIC}. */
    private static boolean greeted(DataInputStream in) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        return Arrays.equals(magic, MAGIC);
    }

    private byte[] proof(String who, byte[] nc, byte[] nl) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(authKey, "HmacSHA256"));
            mac.update(who.getBytes(StandardCharsets.US_ASCII));
            mac.update(nc);
            return mac.doFinal(nl);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks HmacSHA256", e);
        }
    }

    private byte[] dataKey(byte[] nc, byte[] nl) {
        try {
            return expand(prk, concat("data".getBytes(StandardCharsets.US_ASCII), concat(nc, nl)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks HKDF-SHA256", e);
        }
    }

    private static byte[] expand(byte[] prk, byte[] info) throws GeneralSecurityException {
        return KDF.getInstance("HKDF-SHA256").deriveData(
                HKDFParameterSpec.expandOnly(new SecretKeySpec(prk, "HKDF-PRK"), info, 32));
    }

    private static byte[] random() {
        byte[] n = new byte[NONCE];
        RANDOM.nextBytes(n);
        return n;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
