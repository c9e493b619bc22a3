package org.janytun.crypto;

/**
 * Key material or suite parameters that cannot make a working suite. It says which input is at fault as a typed
 * {@link Input}; the command line maps that to its option name. The message never contains secret bytes.
 */
public final class SuiteException extends IllegalArgumentException {
    /** The input of {@link CryptoSuite#of} the problem is about. */
    public enum Input { MASTER_KEY, MASTER_SALT, AUTH_TAG_LENGTH }

    private final Input input;

    public SuiteException(Input input, String problem) {
        super(problem);
        this.input = input;
    }

    public Input input() {
        return input;
    }
}
