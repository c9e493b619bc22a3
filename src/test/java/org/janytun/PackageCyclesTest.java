package org.janytun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The packages of the built classes form no cycle: {@code jdeps} (the JDK's own, in process or from
 * {@code java.home}/{@code JAVA_HOME}) lists which package uses which, and every strongly connected component of
 * that graph must be a single package.
 */
class PackageCyclesTest {
    private static final Pattern EDGE = Pattern.compile("^\\s+(org\\.janytun[\\w.]*)\\s+->\\s+(org\\.janytun[\\w.]*)\\s");

    @Test
    void theMainClassesHaveNoPackageCycle() throws Exception {
        Map<String, Set<String>> graph = packageGraph(classesDirectory());
        assertTrue(graph.size() > 10, "jdeps saw only " + graph.keySet());
        List<Set<String>> cycles = cycles(graph);
        assertEquals(List.of(), cycles, () -> "package cycles: " + describe(cycles, graph));
    }

    @Test
    void theCycleFinderFindsCycles() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a", "d"));
        g.put("d", Set.of());
        g.put("e", Set.of("e"));
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(g));
        g.put("d", Set.of("e"));
        g.put("e", Set.of("d"));
        assertEquals(List.of(Set.of("a", "b", "c"), Set.of("d", "e")), cycles(g));
        assertFalse(cycles(Map.of("x", Set.of("y"), "y", Set.of())).iterator().hasNext());
    }

    private static Path classesDirectory() throws URISyntaxException {
        Path p = Path.of(org.janytun.cli.JanytunMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(p), "the main classes are not a directory: " + p);
        return p;
    }

    /** package → the packages of ours it uses (self-uses left out). */
    static Map<String, Set<String>> packageGraph(Path classes) throws IOException, InterruptedException {
        String out = jdeps("-verbose:package", "-filter:none", classes.toString());
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.split("\n")) {
            Matcher m = EDGE.matcher(line + " ");
            if (m.find()) {
                graph.computeIfAbsent(m.group(1), k -> new TreeSet<>());
                graph.computeIfAbsent(m.group(2), k -> new TreeSet<>());
                if (!m.group(1).equals(m.group(2))) {
                    graph.get(m.group(1)).add(m.group(2));
                }
            }
        }
        return graph;
    }

    private static String jdeps(String... args) throws IOException, InterruptedException {
        Optional<ToolProvider> tool = ToolProvider.findFirst("jdeps");
        if (tool.isPresent()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int rc = tool.get().run(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), args);
            assertEquals(0, rc, () -> "jdeps failed: " + err.toString(StandardCharsets.UTF_8));
            return out.toString(StandardCharsets.UTF_8);
        }
        Path exe = jdk().resolve("bin/jdeps");
        assertTrue(Files.isExecutable(exe), "no jdeps in this JDK (java.home, JAVA_HOME): " + exe);
        List<String> cmd = new ArrayList<>(List.of(exe.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), () -> "jdeps failed: " + out);
        return out;
    }

    private static Path jdk() {
        Path home = Path.of(System.getProperty("java.home"));
        if (Files.isExecutable(home.resolve("bin/jdeps"))) {
            return home;
        }
        String env = System.getenv("JAVA_HOME");
        return env == null ? home : Path.of(env);
    }

    /** The strongly connected components with more than one package (Tarjan), in order of their first package. */
    static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> found = new ArrayList<>();
        for (String v : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(v)) {
                strongConnect(v, graph, index, low, stack, onStack, found);
            }
        }
        found.sort((a, b) -> a.iterator().next().compareTo(b.iterator().next()));
        return found;
    }

    private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                      Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                      List<Set<String>> found) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (w.equals(v)) {
                continue;
            }
            if (!index.containsKey(w)) {
                strongConnect(w, graph, index, low, stack, onStack, found);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }

    private static String describe(List<Set<String>> cycles, Map<String, Set<String>> graph) {
        StringBuilder b = new StringBuilder();
        for (Set<String> c : cycles) {
            b.append("\n  ").append(c).append(':');
            for (String p : c) {
                for (String q : graph.get(p)) {
                    if (c.contains(q)) {
                        b.append("\n    ").append(p).append(" -> ").append(q);
                    }
                }
            }
        }
        return b.toString();
    }
}
