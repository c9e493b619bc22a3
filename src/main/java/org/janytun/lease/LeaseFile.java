package org.janytun.lease;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The file {@code seq-lease} in the state directory: one 16-byte slot per mux (a sparse file of at most 1 MiB),
 * each holding how far the sequence numbers of that mux have been reserved. Opened once, before a chroot or a
 * privilege drop, and written in place with {@code pwrite} and {@code fdatasync}, so it keeps working after both.
 * Locked while open: two daemons cannot share one state directory.
 *
 * <p>A slot is all zeros (never used) or {@code position(8) crc32c(4) magic(4)}, big-endian, where position is
 * {@code epoch << 32 | limit} (the epoch counts wraps the operator allowed). A slot is 16-byte aligned and never
 * crosses a disk sector; the CRC catches what a torn write or a stray edit would leave, and such a slot is refused
 * rather than read as 0.
 */
public final class LeaseFile implements Closeable {
    /** The file's name in the state directory. */
    public static final String NAME = "seq-lease";
    static final int SLOT = 16;
    private static final int MAGIC = 0x4A534C31; // "JSL1"

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final ByteBuffer slot = ByteBuffer.allocate(SLOT);

    private LeaseFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /** Opens (creating owner-only if need be) {@code dir/seq-lease} and locks it. */
    public static LeaseFile open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path p = dir.resolve(NAME);
        boolean created = !Files.exists(p);
        FileChannel ch = FileChannel.open(p, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IOException(p + " is in use by another janytun (give each tunnel its own --state-dir)");
        }
        if (created) {
            syncDirectory(dir); // the new file's name survives a crash too
        }
        return new LeaseFile(p, ch, lock);
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    public Path path() {
        return path;
    }

    /** The stored position of {@code mux}: 0 when never written. */
    public synchronized long read(int mux) throws IOException {
        slot.clear();
        long at = (long) (mux & 0xFFFF) * SLOT;
        while (slot.hasRemaining()) {
            if (channel.read(slot, at + slot.position()) < 0) {
                break; // past the end: a slot never written
            }
        }
        slot.flip();
        if (slot.remaining() < SLOT || isZero(slot)) {
            return 0;
        }
        long position = slot.getLong(0);
        if (slot.getInt(12) != MAGIC || slot.getInt(8) != crc(mux, position)) {
            throw new IOException(path + ": the record of mux " + (mux & 0xFFFF) + " is damaged; janytun will not guess"
                    + " where its sequence numbers stopped. Rotate the key of this connection, then remove the file");
        }
        return position;
    }

    /** Writes the position of {@code mux} and syncs it to disk before returning. */
    public synchronized void write(int mux, long position) throws IOException {
        put(mux, position);
        sync();
    }

    /** Writes the position of {@code mux} without syncing: durable only after {@link #sync}. */
    public synchronized void put(int mux, long position) throws IOException {
        slot.clear();
        slot.putLong(position).putInt(crc(mux, position)).putInt(MAGIC).flip();
        long at = (long) (mux & 0xFFFF) * SLOT;
        while (slot.hasRemaining()) {
            channel.write(slot, at + slot.position());
        }
    }

    /** Syncs every position written so far to disk (one {@code fdatasync} for a whole table's connections). */
    public synchronized void sync() throws IOException {
        channel.force(false);
    }

    private static boolean isZero(ByteBuffer b) {
        for (int i = 0; i < SLOT; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int crc(int mux, long position) {
        CRC32C c = new CRC32C();
        ByteBuffer b = ByteBuffer.allocate(10).putShort((short) mux).putLong(position);
        c.update(b.array());
        return (int) c.getValue();
    }

    @Override
    public synchronized void close() throws IOException {
        if (!channel.isOpen()) {
            return; // closed already (the daemon's stop runs again in the shutdown hook)
        }
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
