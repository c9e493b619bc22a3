package org.janytun.cli;

/** Entry point placeholder; the tool arrives with its issue. */
public final class ControldMain {
    private ControldMain() {}

    public static void main(String[] args) {
        System.err.println("not yet supported");
        System.exit(1);
    }
}
