package org.janytun.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.janytun.cli.ConfigFile.ArgumentKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    static final Function<String, ArgumentKind> OPTIONS = Map.of(
            "nodaemonize", ArgumentKind.NONE,
            "remote-host", ArgumentKind.REQUIRED,
            "port", ArgumentKind.REQUIRED,
            "passphrase", ArgumentKind.REQUIRED,
            "log", ArgumentKind.REQUIRED)::get;

    static List<String> parse(String text) throws UsageException {
        return ConfigFile.parse("vpn.conf", text, OPTIONS);
    }

    static String error(String text) {
        return assertThrows(UsageException.class, () -> parse(text)).getMessage();
    }

    @Test
    void linesBecomeArguments() throws Exception {
        assertEquals(List.of("--remote-host", "10.0.0.1", "--nodaemonize", "--port", "4444"), parse("""
                # comment

                   remote-host    10.0.0.1
                nodaemonize
                \tport 4444   # trailing comment
                """));
    }

    @Test
    void debianCommentRulesAndQuotes() throws Exception {
        assertEquals(List.of("--passphrase", "two words"), parse("passphrase \"two words\"\n"));
        assertEquals(List.of("--passphrase", " padded # text "), parse("passphrase \" padded # text \"  # c\n"));
        assertEquals(List.of("--passphrase", "it's"), parse("passphrase \"it's\"\n"));
        assertEquals(List.of("--passphrase", "a"), parse("passphrase a#b\n"), "a # anywhere starts a comment");
        assertEquals(List.of("--log", "syslog:3,anytun,daemon"), parse("log syslog:3,anytun,daemon"));
        assertEquals(List.of("--nodaemonize"), parse("nodaemonize#comment\r\n"));
        assertEquals(List.of(), parse(""));
    }

    @Test
    void malformedLinesNameFileAndLine() {
        assertTrue(error("passphrase two words\n").startsWith("vpn.conf:1: the value has white space"));
        assertEquals("vpn.conf:3: unknown option 'remote'", error("port 1\n\nremote 1.2.3.4\n"));
        assertEquals("vpn.conf:1: option 'nodaemonize' takes no value", error("nodaemonize yes"));
        assertEquals("vpn.conf:2: option 'port' needs a value", error("# x\nport\n"));
        assertEquals("vpn.conf:2: option 'port' needs a value", error("# x\nport # no value\n"));
        assertEquals("vpn.conf:1: write the long option name without leading dashes (e.g. 'port 4444')",
                error("--port 4444"));
        assertEquals("vpn.conf:1: unterminated quote", error("passphrase \"secret"));
        assertEquals("vpn.conf:1: unexpected text after the closing quote", error("passphrase \"a\" b"));
        assertEquals("vpn.conf:1: 'config' cannot be used in a config file", error("config other.conf"));
        assertEquals("vpn.conf:1: 'help' cannot be used in a config file", error("help"));
        assertEquals("vpn.conf:1: malformed option name (expected lower-case letters, digits and '-')",
                error("Port 4444"));
    }

    @Test
    void errorsDoNotEchoValues() {
        assertFalse(error("passphrase \"hunter2").contains("hunter2"));
        assertFalse(error("secret-key hunter2").contains("hunter2"));
    }

    @Test
    void readsFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("config");
        Files.writeString(f, "port 4444\n");
        assertEquals(List.of("--port", "4444"), ConfigFile.read(f, OPTIONS));
        Files.write(f, new byte[] {'p', 'o', 'r', 't', ' ', (byte) 0xff});
        assertEquals("--config: " + f + " is not UTF-8 text",
                assertThrows(UsageException.class, () -> ConfigFile.read(f, OPTIONS)).getMessage());
        Path missing = dir.resolve("missing");
        assertEquals("--config: cannot read " + missing + ": no such file",
                assertThrows(UsageException.class, () -> ConfigFile.read(missing, OPTIONS)).getMessage());
    }
}
