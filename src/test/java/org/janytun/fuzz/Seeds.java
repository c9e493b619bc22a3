package org.janytun.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The seed corpus of a fuzz test ({@code src/test/resources/<package>/<Class>Inputs/<method>/}), for oracles. */
public final class Seeds {
    private Seeds() {}

    /** Every seed file of {@code test}'s {@code method}; fails when there is none. */
    public static List<byte[]> of(Class<?> test, String method) {
        URL dir = test.getResource(test.getSimpleName() + "Inputs/" + method);
        if (dir == null) {
            throw new IllegalStateException("no seed corpus for " + test.getSimpleName() + "#" + method);
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.sorted().map(Seeds::read).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The seeds as hex strings. */
    public static Set<String> hexOf(Class<?> test, String method) {
        return of(test, method).stream().map(HexFormat.of()::formatHex).collect(Collectors.toSet());
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
