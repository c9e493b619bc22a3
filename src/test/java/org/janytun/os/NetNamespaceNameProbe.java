package org.janytun.os;

/** Prints {@link NetNamespace#currentName()}: run by NetNamespaceNameTest inside a namespace it made. */
public final class NetNamespaceNameProbe {
    private NetNamespaceNameProbe() {}

    public static void main(String[] args) {
        System.out.println(NetNamespace.currentName().orElse("(none)"));
    }
}
