package org.janytun.syncio;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The record layer of the protected sync mode: each record is a 4-byte big-endian length {@code n} and {@code n}
 * bytes of AES-256-GCM output (ciphertext and 16-byte tag), the length being authenticated as associated data. The
 * nonce is the record's number (0, 1, 2, ...), so records cannot be dropped, reordered or replayed unnoticed; each
 * connection has its own key ({@link ClusterSecret}).
 */
final class SealedStreams {
    static final int MAX_PLAINTEXT = 16 * 1024;
    static final int TAG_BYTES = 16;

    private SealedStreams() {}

    static OutputStream output(OutputStream raw, byte[] key) {
        return new Output(raw, key);
    }

    static InputStream input(InputStream raw, byte[] key) {
        return new Input(raw, key);
    }

    private static Cipher cipher(int mode, byte[] key, long counter, byte[] aad) throws GeneralSecurityException {
        byte[] nonce = new byte[12];
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (56 - 8 * i));
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
        c.updateAAD(aad);
        return c;
    }

    private static byte[] length(int n) {
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    private static final class Output extends OutputStream {
        private final OutputStream raw;
        private final byte[] key;
        private long counter;

        Output(OutputStream raw, byte[] key) {
            this.raw = raw;
            this.key = key;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, MAX_PLAINTEXT);
                byte[] head = length(n + TAG_BYTES);
                try {
                    byte[] sealed = cipher(Cipher.ENCRYPT_MODE, key, counter++, head).doFinal(b, off, n);
                    raw.write(head);
                    raw.write(sealed);
                } catch (GeneralSecurityException e) {
                    throw new IOException("sealing a sync record failed: " + e.getMessage(), e);
                }
                off += n;
                len -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            raw.flush();
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }

    /**
     * Reads records as bytes arrive. A read that times out (the socket's SO_TIMEOUT) keeps what it has of a record,
     * so the caller may simply read again.
     */
    private static final class Input extends InputStream {
        private final InputStream raw;
        private final byte[] key;
        private final byte[] head = new byte[4];
        private byte[] record;
        private int have;          // bytes of head (while record == null) or of record
        private byte[] plain = new byte[0];
        private int pos;
        private long counter;

        Input(InputStream raw, byte[] key) {
            this.raw = raw;
            this.key = key;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == plain.length) {
                if (!fill()) {
                    return -1;
                }
            }
            int n = Math.min(len, plain.length - pos);
            System.arraycopy(plain, pos, b, off, n);
            pos += n;
            return n;
        }

        /** What is decrypted and not read yet, or else whether more of the stream has arrived (1 or 0). */
        @Override
        public int available() throws IOException {
            return pos < plain.length ? plain.length - pos : Math.min(raw.available(), 1);
        }

        /** Reads one whole record; false at a clean end of stream. */
        private boolean fill() throws IOException {
            while (record == null) {
                int n = raw.read(head, have, 4 - have);
                if (n < 0) {
                    if (have == 0) {
                        return false;
                    }
                    throw new EOFException("the stream ended inside a sealed record");
                }
                have += n;
                if (have == 4) {
                    int len = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8)
                            | (head[3] & 0xFF);
                    if (len < TAG_BYTES || len > MAX_PLAINTEXT + TAG_BYTES) {
                        throw new IOException("sealed record of " + len + " bytes: not from a janytun node");
                    }
                    record = new byte[len];
                    have = 0;
                }
            }
            while (have < record.length) {
                int n = raw.read(record, have, record.length - have);
                if (n < 0) {
                    throw new EOFException("the stream ended inside a sealed record");
                }
                have += n;
            }
            try {
                plain = cipher(Cipher.DECRYPT_MODE, key, counter++, head).doFinal(record);
            } catch (AEADBadTagException e) {
                throw new IOException("a sealed sync record failed authentication: tampered with or not ours");
            } catch (GeneralSecurityException e) {
                throw new IOException("opening a sync record failed: " + e.getMessage(), e);
            }
            pos = 0;
            record = null;
            have = 0;
            return true;
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }
}
