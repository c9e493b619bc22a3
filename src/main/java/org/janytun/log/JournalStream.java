package org.janytun.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether standard output or error is the systemd journal's stream. systemd sets {@code JOURNAL_STREAM=dev:inode}
 * for services whose output goes to the journal; the journal accepts a {@code <N>} priority prefix on each line
 * there (sd-daemon(3)). The check compares that inode with the socket behind the file descriptor, so that a child
 * whose output was redirected elsewhere does not write prefixes.
 */
final class JournalStream {
    private JournalStream() {}

    /** True when file descriptor {@code fd} (1 or 2) is the journal stream named by {@code JOURNAL_STREAM}. */
    static boolean isJournal(int fd) {
        return matches(System.getenv("JOURNAL_STREAM"), fdLink(fd));
    }

    /** {@code journalStream} is the value of JOURNAL_STREAM, {@code fdLink} the target of /proc/self/fd/N. */
    static boolean matches(String journalStream, String fdLink) {
        if (journalStream == null || fdLink == null) {
            return false;
        }
        int colon = journalStream.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String inode = journalStream.substring(colon + 1).trim();
        return !inode.isEmpty() && fdLink.equals("socket:[" + inode + "]");
    }

    private static String fdLink(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }
}
