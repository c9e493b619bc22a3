package org.janytun.cli;

/**
 * A command-line problem, reported as one line {@code <prog>: <where>: <problem>} with exit status 2.
 * {@code where} names the option as {@code -K/--key}, or a config file line as {@code file:12}.
 * Messages never contain the value of a secret option.
 */
public final class UsageException extends Exception {
    private final String where;
    private final String problem;

    public UsageException(String where, String problem) {
        super(where + ": " + problem, null, false, false);
        this.where = where;
        this.problem = problem;
    }

    /** The option ({@code -K/--key}) or place ({@code file:12}) the problem is about. */
    public String where() {
        return where;
    }

    public String problem() {
        return problem;
    }
}
