package org.janytun.ctl;

/** What the daemon does with a parsed request: the lines of its answer, or a refusal. */
@FunctionalInterface
public interface CtlHandler {
    /**
     * @param request  the parsed request
     * @param response receives the answer's {@code key=value} lines (values printable, no line breaks, no secrets)
     */
    void handle(CtlRequest request, CtlResponse response) throws CtlException;
}
