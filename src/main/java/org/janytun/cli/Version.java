package org.janytun.cli;

/** The product version, from the jar manifest (set by Maven). */
public final class Version {
    private Version() {}

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
