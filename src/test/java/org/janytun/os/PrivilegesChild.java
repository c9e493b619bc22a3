package org.janytun.os;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Child JVM main for {@link PrivilegesIT}: {@code drop USER GROUP|-} or {@code chroot USER GROUP|- DIR}. Drops
 * privileges (after a chroot), reports its ids and those of every thread, prints READY and waits to be killed.
 */
public final class PrivilegesChild {
    public static void main(String[] args) throws Exception {
        // A thread that is already running before the drop: it must end up with the new ids too.
        CountDownLatch started = new CountDownLatch(1);
        Thread.ofPlatform().daemon().name("already-running").start(() -> {
            started.countDown();
            while (true) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        started.await();

        String mode = args[0];
        Privileges.Target target = Privileges.resolve(args[1], args[2].equals("-") ? null : args[2]).orElseThrow();
        System.out.println("TARGET " + target);
        // After a chroot, classes not yet loaded from a class directory cannot be found (a jar stays open): load now.
        for (Class<?> c : new Class<?>[] {OsException.class, Libc.class, Privileges.class}) {
            Class.forName(c.getName(), true, PrivilegesChild.class.getClassLoader());
        }
        if (mode.equals("chroot")) {
            Privileges.chroot(Path.of(args[3]));
        }
        Privileges.drop(target);
        System.out.println("IDS " + Libc.getuid() + " " + Libc.geteuid() + " " + Libc.getgid() + " " + Libc.getegid());
        if (mode.equals("chroot")) {
            System.out.println("ROOT marker=" + Files.exists(Path.of("/marker")) + " outside=" + Files.exists(Path.of(args[3])));
        } else {
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
                for (Path task : tasks) {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("Uid:") || line.startsWith("Gid:") || line.startsWith("Groups:")) {
                            System.out.println("TASK " + task.getFileName() + " " + line.replaceAll("\\s+", " "));
                        }
                    }
                }
            }
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(120_000);
    }
}
