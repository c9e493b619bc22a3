package org.janytun.config;

/** The name a program goes by in messages and as the default syslog ident: the launcher's name for it. */
public final class ProgramName {
    private ProgramName() {}

    /** The launcher's name ({@code -Djanytun.prog}), normally "janytun". */
    public static String janytun() {
        String p = System.getProperty("janytun.prog");
        return p == null || p.isBlank() ? "janytun" : p;
    }

    /** The name a companion tool goes by: the launcher's name for it, or {@code tool} when run without one. */
    public static String tool(String tool) {
        String p = janytun();
        return p.equals("janytun") ? tool : p;
    }
}
