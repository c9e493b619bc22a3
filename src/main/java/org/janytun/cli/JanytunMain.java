package org.janytun.cli;

/** Entry point of {@code bin/janytun}: placeholder until the CLI lands. */
public final class JanytunMain {
    private JanytunMain() {}

    public static void main(String[] args) {
        System.out.println("janytun " + Version.get());
    }
}
