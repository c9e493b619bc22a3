package org.janytun.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Chroot and privilege drop as anytun(8) does them: {@code -C dir} chroots, {@code -u user} switches to that user and,
 * unless {@code -g group} is given, to the user's primary group; {@code -g} alone is ignored.
 *
 * <p>Order for a caller: {@link #resolve} (needs /etc/passwd and /etc/group, so before the chroot), then
 * {@link #chroot}, then {@link #drop(Target)}. glibc's setuid/setgid/setgroups change every thread of the process,
 * which the multi-threaded JVM needs; {@link #drop(Target)} checks every thread afterwards where /proc is visible.
 */
public final class Privileges {
    private Privileges() {
    }

    /** The identity to switch to: the uid, the gid and the supplementary groups. */
    public record Target(String user, int uid, int gid, int[] groups) {
        @Override
        public String toString() {
            return user + " (uid " + Integer.toUnsignedString(uid) + ", gid " + Integer.toUnsignedString(gid)
                    + ", groups " + Arrays.toString(groups) + ")";
        }
    }

    /**
     * Looks up {@code -u} and {@code -g}. Empty when {@code user} is null or empty ({@code -g} alone is ignored).
     *
     * @throws IOException when the user or group does not exist
     */
    public static Optional<Target> resolve(String user, String group) throws IOException {
        if (user == null || user.isEmpty()) {
            return Optional.empty();
        }
        Libc.Passwd pw = Libc.getpwnam(user).orElseThrow(() -> new IOException("unknown user '" + user + "'"));
        int gid = pw.gid();
        if (group != null && !group.isEmpty()) {
            gid = Libc.getgrnam(group).orElseThrow(() -> new IOException("unknown group '" + group + "'"));
        }
        return Optional.of(new Target(pw.name(), pw.uid(), gid, Libc.getgrouplist(pw.name(), gid)));
    }

    /** chroot(2) into {@code dir}, then chdir("/") so that no directory outside stays reachable. */
    public static void chroot(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        Libc.chroot(abs.toString());
        Libc.chdir("/");
    }

    /** {@link #resolve} then {@link #drop(Target)}; returns what it switched to, empty when nothing was asked. */
    public static Optional<Target> drop(String user, String group) throws IOException {
        Optional<Target> target = resolve(user, group);
        if (target.isPresent()) {
            drop(target.get());
        }
        return target;
    }

    /**
     * setgroups, setgid, setuid (in this order: after setuid the others are no longer allowed), then verifies real and
     * effective ids of the process and of every thread, and that root cannot be regained.
     *
     * @throws IOException when a call fails or the verification does not hold; the process should then exit
     */
    public static void drop(Target t) throws IOException {
        Libc.setgroups(t.groups());
        Libc.setgid(t.gid());
        Libc.setuid(t.uid());

        if (Libc.getuid() != t.uid() || Libc.geteuid() != t.uid() || Libc.getgid() != t.gid() || Libc.getegid() != t.gid()) {
            throw new IOException("privilege drop to " + t + " did not take: uid " + Libc.getuid() + " euid " + Libc.geteuid()
                    + " gid " + Libc.getgid() + " egid " + Libc.getegid());
        }
        if (t.uid() != 0) {
            try {
                Libc.setuid(0);
                throw new IOException("privilege drop to " + t + " is not permanent: setuid(0) succeeded");
            } catch (OsException expected) {
                // EPERM: good
            }
        }
        checkAllThreads(t);
    }

    /** Every thread must carry the new ids (glibc broadcasts set*id to all threads); skipped when /proc is not there. */
    private static void checkAllThreads(Target t) throws IOException {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return; // e.g. inside a chroot without /proc
        }
        String uid = Integer.toUnsignedString(t.uid());
        String gid = Integer.toUnsignedString(t.gid());
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                String status;
                try {
                    status = Files.readString(task.resolve("status"));
                } catch (IOException e) {
                    continue; // the thread has exited meanwhile
                }
                for (String line : status.split("\n")) {
                    String[] f = line.strip().split("\\s+");
                    boolean bad = f[0].equals("Uid:") && !Arrays.stream(f, 1, f.length).allMatch(uid::equals)
                            || f[0].equals("Gid:") && !Arrays.stream(f, 1, f.length).allMatch(gid::equals)
                            || f[0].equals("Groups:") && !Arrays.equals(
                                    Arrays.stream(f, 1, f.length).mapToInt(Integer::parseUnsignedInt).sorted().distinct().toArray(),
                                    Arrays.stream(t.groups()).sorted().distinct().toArray());
                    if (bad) {
                        throw new IOException("privilege drop to " + t + ": thread " + task.getFileName() + " still has '"
                                + line + "'");
                    }
                }
            }
        }
    }
}
