package org.janytun.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Keeps man/janytun.8 in step with the options janytun declares: every option name picocli knows must head an
 * entry of the page's option list ({@code .TP} tag), short and long name in the same entry, and every option
 * named in such a tag must exist.
 */
class ManPageTest {
    private static final Path PAGE = Path.of(System.getProperty("user.dir"), "man", "janytun.8");
    /** An option name in a rendered tag line: a dash-word not glued to a preceding word character. */
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[A-Za-z0-9][A-Za-z0-9-]*)");

    /** Each option's names as picocli declares them, e.g. [-K, --key]. */
    private static List<List<String>> declaredOptions() {
        List<List<String>> all = new ArrayList<>();
        for (OptionSpec o : new CommandLine(JanytunOptions.class).getCommandSpec().options()) {
            all.add(List.of(o.names()));
        }
        return all;
    }

    /** The text of every {@code .TP} tag line, with roff escapes turned back into plain text. */
    private static List<String> tags() throws IOException {
        List<String> lines = Files.readAllLines(PAGE, StandardCharsets.UTF_8);
        List<String> tags = new ArrayList<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).strip().equals(".TP")) {
                tags.add(plain(lines.get(i + 1)));
            }
        }
        return tags;
    }

    /** Removes font changes and macro names, turns {@code \-} into '-', drops quotes. */
    static String plain(String roff) {
        String s = roff.replaceFirst("^\\.(B|I|BR|BI|IR|RB|IB|RI)\\s+", "");
        s = s.replaceAll("\\\\f(\\[[^]]*]|\\(..|.)", "");
        s = s.replace("\\-", "-").replace("\\&", "").replace("\"", "");
        return s;
    }

    private static Set<String> optionsIn(String tag) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = OPTION.matcher(tag);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void thePageExists() {
        assertTrue(Files.isRegularFile(PAGE), "missing " + PAGE);
    }

    @Test
    void everyDeclaredOptionHasAnEntryWithAllItsNames() throws IOException {
        List<String> tags = tags();
        List<String> missing = new ArrayList<>();
        for (List<String> names : declaredOptions()) {
            boolean documented = tags.stream().anyMatch(t -> optionsIn(t).containsAll(names));
            if (!documented) {
                missing.add(String.join(", ", names));
            }
        }
        assertTrue(missing.isEmpty(), "options without an entry (.TP tag naming all their names) in " + PAGE + ": "
                + missing);
    }

    @Test
    void everyOptionEntryIsAnOptionOfJanytun() throws IOException {
        Set<String> declared = new LinkedHashSet<>();
        declaredOptions().forEach(declared::addAll);
        List<String> unknown = new ArrayList<>();
        for (String tag : tags()) {
            for (String name : optionsIn(tag)) {
                if (!declared.contains(name)) {
                    unknown.add(name + " (in '" + tag + "')");
                }
            }
        }
        assertTrue(unknown.isEmpty(), PAGE + " documents options janytun does not have: " + unknown);
    }

    @Test
    void theSynopsisNamesEveryShortOption() throws IOException {
        String text = String.join("\n", Files.readAllLines(PAGE, StandardCharsets.UTF_8));
        int from = text.indexOf(".SH SYNOPSIS");
        int to = text.indexOf(".SH DESCRIPTION");
        assertFalse(from < 0 || to < from, "no SYNOPSIS section before DESCRIPTION");
        Set<String> inSynopsis = new LinkedHashSet<>();
        for (String line : text.substring(from, to).split("\n")) {
            inSynopsis.addAll(optionsIn(plain(line).replace("[", " ").replace("|", " ")));
        }
        Set<String> unsupported = Set.of();
        List<String> missing = new ArrayList<>();
        for (List<String> names : declaredOptions()) {
            String shortest = names.stream().min((a, b) -> Integer.compare(a.length(), b.length())).orElseThrow();
            if (!unsupported.contains(shortest) && !inSynopsis.contains(shortest)) {
                missing.add(shortest);
            }
        }
        assertTrue(missing.isEmpty(), "the SYNOPSIS of " + PAGE + " lacks " + missing);
    }

    @Test
    void plainUndoesTheRoffOfAnEntry() {
        assertTrue(Arrays.asList("-K", "--key").containsAll(
                optionsIn(plain("\\fB\\-K\\fR, \\fB\\-\\-key\\fR \\fIhex-key\\fR"))));
        assertTrue(optionsIn(plain("\\fB\\-K\\fR, \\fB\\-\\-key\\fR \\fIhex-key\\fR")).containsAll(
                List.of("-K", "--key")));
        assertFalse(optionsIn(plain("\\fIsender-id\\fR")).contains("-id"));
    }

    /**
     * Defect 8: janytun in the foreground exits 0 when SIGTERM or SIGINT stops it (what systemd counts as a clean
     * stop without SuccessExitStatus=); the page must say so, not 143.
     */
    @Test
    void exitStatusOnSigtermIsZeroAsTheCodeDoes() throws IOException {
        String page = Files.readString(PAGE, StandardCharsets.UTF_8);
        String exitStatus = page.substring(page.indexOf(".SH EXIT STATUS"), page.indexOf(".SH FILES"));
        assertFalse(exitStatus.contains("143"), exitStatus);
        assertTrue(plain(exitStatus).replaceAll("\\s+", " ").contains("When SIGTERM or SIGINT stops it, it exits with status 0"),
                exitStatus);
    }
}
