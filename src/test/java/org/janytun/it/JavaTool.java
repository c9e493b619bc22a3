package org.janytun.it;

import java.util.ArrayList;
import java.util.List;

/** Command lines for the helper mains in {@code org.janytun.it.tools}, run with the test's own JVM. */
public final class JavaTool {
    private JavaTool() {}

    public static List<String> command(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ItEnv.java(), "-Xmx64m", "-XX:+UseSerialGC",
                "-cp", ItEnv.testClasses() + java.io.File.pathSeparator + ItEnv.mainClasses(), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
