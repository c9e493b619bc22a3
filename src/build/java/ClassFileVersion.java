import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Build step of bin/setup and bin/package (run with the JDK's source launcher, not part of janytun.jar): rewrites
 * the classes of a runtime library jar that are older than class-file version 50 (Java 6) to version 52 (Java 8),
 * with the stack map frames the type-checking verifier needs; the code itself is unchanged.
 *
 * <p>Why: JDK 25's AOT cache cannot hold a class that was verified by the old verifier ("Skipping ...: Old class has
 * been linked"), which is every class of picocli 4.7.7 (version 49, for Java 5). So each start parsed and verified
 * its 168 classes from the jar: measured, {@code janytun --version} used 0.79-0.94 CPU s with the jar as published
 * and 0.57-0.69 s with the rewritten one, whose classes all come from the cache. A jar with no such class is left
 * alone (its time stamp too, so that the AOT cache stays fresh).
 *
 * <pre>java src/build/java/ClassFileVersion.java target/lib/*.jar</pre>
 */
public final class ClassFileVersion {
    private static final int OLD_VERIFIER_BELOW = 50;
    private static final int TARGET = 52;

    private ClassFileVersion() {
    }

    public static void main(String[] args) throws IOException {
        for (String a : args) {
            Path jar = Path.of(a);
            int n = rewrite(jar);
            if (n > 0) {
                System.out.println(jar.getFileName() + ": " + n + " classes now class-file version " + TARGET);
            }
        }
    }

    /** Rewrites {@code jar} in place if it holds old classes; returns how many it rewrote. */
    static int rewrite(Path jar) throws IOException {
        if (!hasOldClass(jar)) {
            return 0;
        }
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        int n = 0;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             InputStream fin = Files.newInputStream(jar);
             ZipInputStream in = new ZipInputStream(fin);
             OutputStream fout = Files.newOutputStream(tmp);
             ZipOutputStream out = new ZipOutputStream(fout)) {
            // the frames need the superclasses of the jar's own classes: resolved from the jar, the rest from the JDK
            ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver
                    .defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(loader))));
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (isClass(e) && version(bytes) < OLD_VERIFIER_BELOW) {
                    ClassModel m = cf.parse(bytes);
                    // rebuilding every method body makes the library generate the StackMapTable
                    bytes = cf.transformClass(m, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                            .andThen(ClassTransform.endHandler(b -> b.withVersion(TARGET, 0))));
                    n++;
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return n;
    }

    private static boolean hasOldClass(Path jar) throws IOException {
        try (InputStream fin = Files.newInputStream(jar); ZipInputStream in = new ZipInputStream(fin)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (isClass(e) && version(in.readNBytes(8)) < OLD_VERIFIER_BELOW) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A class of the jar's own (not a multi-release variant or module-info under META-INF). */
    private static boolean isClass(ZipEntry e) {
        return e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/");
    }

    private static int version(byte[] head) {
        return head.length < 8 || (head[0] & 0xFF) != 0xCA ? Integer.MAX_VALUE : (head[6] & 0xFF) << 8 | (head[7] & 0xFF);
    }
}
