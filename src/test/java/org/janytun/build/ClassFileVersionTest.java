package org.janytun.build;

import static java.lang.constant.ConstantDescs.CD_int;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/setup's build step src/build/java/ClassFileVersion.java, run as bin/setup runs it (the source launcher). */
class ClassFileVersionTest {
    private static final Path TOOL = Path.of("src/build/java/ClassFileVersion.java");

    @Test
    void anOldClassGetsVersion52WithStackMapsAndStillRuns(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("old.jar");
        byte[] readme = "kept as it is\n".getBytes(StandardCharsets.UTF_8);
        assertTrue(ClassFile.of().parse(oldClass()).methods().getFirst().code().orElseThrow()
                .findAttribute(Attributes.stackMapTable()).isEmpty(), "an old class has no stack maps");
        try (OutputStream f = Files.newOutputStream(jar); ZipOutputStream z = new ZipOutputStream(f)) {
            add(z, "old/Sample.class", oldClass());
            add(z, "old/readme.txt", readme);
        }
        assertEquals(0, run(jar));

        try (ZipFile z = new ZipFile(jar.toFile())) {
            ClassModel m = ClassFile.of().parse(z.getInputStream(z.getEntry("old/Sample.class")).readAllBytes());
            assertEquals(52, m.majorVersion());
            MethodModel pick = m.methods().getFirst();
            assertTrue(pick.code().orElseThrow().findAttribute(Attributes.stackMapTable()).isPresent(),
                    "a branch needs a stack map frame at version 50 and later");
            assertArrayEquals(readme, z.getInputStream(z.getEntry("old/readme.txt")).readAllBytes());
        }
        // the JVM verifies version 52 with the type-checking verifier only (no fallback): it must accept the class
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Method pick = Class.forName("old.Sample", true, loader).getMethod("pick", int.class);
            assertEquals(1, pick.invoke(null, 5));
            assertEquals(2, pick.invoke(null, -1));
        }
    }

    @Test
    void aJarWithoutOldClassesIsLeftAlone(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("new.jar");
        try (OutputStream f = Files.newOutputStream(jar); ZipOutputStream z = new ZipOutputStream(f)) {
            add(z, "old/readme.txt", new byte[] {1});
        }
        FileTime before = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(jar, before);
        byte[] bytes = Files.readAllBytes(jar);
        assertEquals(0, run(jar));
        assertEquals(before, Files.getLastModifiedTime(jar), "the AOT cache made from it stays fresh");
        assertArrayEquals(bytes, Files.readAllBytes(jar));
    }

    /** {@code public class old.Sample { static int pick(int x) { return x > 0 ? 1 : 2; } }} as Java 5 compiled it. */
    private static byte[] oldClass() {
        return ClassFile.of().build(ClassDesc.of("old.Sample"), cb -> cb.withVersion(49, 0)
                .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_SUPER)
                .withMethodBody("pick", MethodTypeDesc.of(CD_int, CD_int), ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC,
                        code -> {
                            Label two = code.newLabel();
                            code.iload(0).ifle(two).iconst_1().ireturn().labelBinding(two).iconst_2().ireturn();
                        }));
    }

    private static void add(ZipOutputStream z, String name, byte[] bytes) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(bytes);
        z.closeEntry();
    }

    private static int run(Path jar) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                TOOL.toString(), jar.toString()).inheritIO().start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the build step did not finish");
        }
        return p.exitValue();
    }
}
