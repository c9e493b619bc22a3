package org.janytun.cli;

/** Entry point placeholder; the tool arrives with its issue. */
public final class ConfigMain {
    private ConfigMain() {}

    public static void main(String[] args) {
        System.err.println("not yet supported");
        System.exit(1);
    }
}
