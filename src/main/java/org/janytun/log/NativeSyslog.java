package org.janytun.log;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * libc's openlog(3), syslog(3) and closelog(3) through the FFM API, so that lines reach the local syslog daemon
 * (/dev/log) exactly as a C daemon's do. Logback's own SyslogAppender only speaks UDP to a host, which rsyslog and
 * journald do not listen on by default.
 */
public final class NativeSyslog {
    /** Prefix lines with the process id. */
    public static final int LOG_PID = 0x01;
    /** Open the connection to /dev/log at once, not with the first line: it then survives a later chroot. */
    public static final int LOG_NDELAY = 0x08;

    private NativeSyslog() {}

    @SuppressWarnings("restricted") // needs --enable-native-access=ALL-UNNAMED, which bin/launch passes
    private static final class Lib {
        static final MethodHandle OPENLOG;
        static final MethodHandle SYSLOG;
        static final MethodHandle CLOSELOG;
        static final MemorySegment PERCENT_S;
        static final Throwable FAILURE;

        static {
            MethodHandle open = null;
            MethodHandle log = null;
            MethodHandle close = null;
            MemorySegment fmt = null;
            Throwable failure = null;
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                open = linker.downcallHandle(find(libc, "openlog"),
                        FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                // void syslog(int priority, const char *format, ...): one variadic char* after the format.
                log = linker.downcallHandle(find(libc, "syslog"),
                        FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
                        Linker.Option.firstVariadicArg(2));
                close = linker.downcallHandle(find(libc, "closelog"), FunctionDescriptor.ofVoid());
                fmt = Arena.global().allocateFrom("%s");
            } catch (Throwable t) {
                failure = t;
            }
            OPENLOG = open;
            SYSLOG = log;
            CLOSELOG = close;
            PERCENT_S = fmt;
            FAILURE = failure;
        }

        private static MemorySegment find(SymbolLookup lookup, String name) {
            return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        }
    }

    /**
     * openlog(3) keeps the ident pointer, so each ident lives for the rest of the process. Interned per string so
     * that reconfiguring logging does not leak one copy each time.
     */
    private static final Map<String, MemorySegment> IDENTS = new ConcurrentHashMap<>();

    /** Null when syslog(3) can be called; otherwise why not (no libc symbol, native access denied, ...). */
    public static Throwable unavailableReason() {
        return Lib.FAILURE;
    }

    /** openlog(ident, options, facility). */
    public static void openlog(String ident, int options, SyslogFacility facility) {
        check();
        MemorySegment id = IDENTS.computeIfAbsent(ident, s -> Arena.global().allocateFrom(s));
        try {
            Lib.OPENLOG.invokeExact(id, options, facility.code());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** syslog(priority, "%s", message): the message is never taken as a format. NUL characters become spaces. */
    public static void syslog(int priority, String message) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment msg = arena.allocateFrom(message.indexOf('\0') >= 0 ? message.replace('\0', ' ') : message);
            Lib.SYSLOG.invokeExact(priority, Lib.PERCENT_S, msg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** closelog(). */
    public static void closelog() {
        check();
        try {
            Lib.CLOSELOG.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void check() {
        if (Lib.FAILURE != null) {
            throw new IllegalStateException("syslog(3) is not available: " + Lib.FAILURE, Lib.FAILURE);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
