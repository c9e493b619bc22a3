package org.janytun.route;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Longest-prefix match from IPv4 and IPv6 prefixes (kept in separate tables) to values, for example the mux of
 * the connection that serves a client's networks.
 *
 * <p>Correct where the reference is not (SYNC.md §4.2, §6): every prefix length 0..32 and 0..128 works (the
 * reference loops forever on {@code x.y.z.128/25} or {@code 10.128.0.0/9}), and the result does not depend on the
 * order in which routes were added (the reference lets a later, shorter, non-byte-aligned prefix overwrite a longer
 * one).
 *
 * <p>Each family is a binary trie, one level per address bit, that is never changed in place: an update copies
 * the path from the root to the changed node (at most 33 or 129 nodes) and publishes the new root with one
 * volatile write. So {@link #lookup} takes no lock, never blocks and allocates nothing, and may run on any number
 * of threads (it is meant to be called for every packet), while updates are serialised among themselves. A lookup
 * that runs during an update sees the table either before or after it.
 *
 * @param <V> the value type; values are never null
 */
public final class RouteTable<V> {
    /**
     * A trie node. Published nodes are never changed; a node made by the update under way ({@code batch} is that
     * update's token) is not yet reachable by lookups and is changed in place, so that an update of many routes
     * copies each node once, not once per route.
     */
    private static final class Node<V> {
        Node<V> zero;
        Node<V> one;
        V value;
        final Object batch;

        Node(Node<V> zero, Node<V> one, V value, Object batch) {
            this.zero = zero;
            this.one = one;
            this.value = value;
            this.batch = batch;
        }
    }

    private volatile Node<V> v4;
    private volatile Node<V> v6;
    /** Every route, for exact queries and snapshots; guarded by {@code this}. */
    private final TreeMap<IpPrefix, V> routes = new TreeMap<>();

    /**
     * Adds or replaces the route for {@code prefix}.
     *
     * @return the value it had before, or null
     */
    public synchronized V put(IpPrefix prefix, V value) {
        Objects.requireNonNull(value, "value");
        V old = routes.put(prefix, value);
        publish(prefix, value);
        return old;
    }

    /**
     * Removes the route for exactly {@code prefix} (not the routes inside it).
     *
     * @return the value it had, or null if there was none
     */
    public synchronized V remove(IpPrefix prefix) {
        V old = routes.remove(prefix);
        if (old != null) {
            publish(prefix, null);
        }
        return old;
    }

    /** Replaces the whole table with {@code newRoutes}, atomically for lookups. */
    public synchronized void replaceAll(Map<IpPrefix, ? extends V> newRoutes) {
        routes.clear();
        v4 = null;
        v6 = null;
        putAll(newRoutes);
    }

    /**
     * Adds or replaces the routes of {@code batch}, published together (atomically for lookups): each trie node on
     * their paths is copied once, where one {@link #put} at a time copies a whole path per route (33 nodes for a
     * /32), which for a table of 65,535 client routes is millions of short-lived nodes.
     */
    public synchronized void putAll(Map<IpPrefix, ? extends V> batch) {
        Object token = new Object();
        Node<V> a = v4;
        Node<V> b = v6;
        for (Map.Entry<IpPrefix, ? extends V> e : batch.entrySet()) {
            V value = Objects.requireNonNull(e.getValue(), "value");
            IpPrefix p = e.getKey();
            routes.put(p, value);
            byte[] addr = p.address();
            if (p.isIpv4()) {
                a = with(a, addr, 0, p.length(), value, token);
            } else {
                b = with(b, addr, 0, p.length(), value, token);
            }
        }
        v4 = a;
        v6 = b;
    }

    /** The value of exactly this prefix, or null. */
    public synchronized V get(IpPrefix prefix) {
        return routes.get(prefix);
    }

    public synchronized int size() {
        return routes.size();
    }

    /** A copy of every route, in {@link IpPrefix#DUMP_ORDER} (IPv4 first, then by length, then by address). */
    public synchronized Map<IpPrefix, V> snapshot() {
        return Collections.unmodifiableMap(new TreeMap<>(routes));
    }

    private void publish(IpPrefix prefix, V valueOrNull) {
        byte[] addr = prefix.address();
        Object token = new Object();
        if (prefix.isIpv4()) {
            v4 = with(v4, addr, 0, prefix.length(), valueOrNull, token);
        } else {
            v6 = with(v6, addr, 0, prefix.length(), valueOrNull, token);
        }
    }

    /**
     * The trie {@code n} (at bit {@code depth}) with the value at {@code addr/len} set, or removed if null: a copy
     * of the path to it, but for the nodes the update {@code batch} made, which it changes in place.
     */
    private static <V> Node<V> with(Node<V> n, byte[] addr, int depth, int len, V value, Object batch) {
        Node<V> zero = n == null ? null : n.zero;
        Node<V> one = n == null ? null : n.one;
        V v = n == null ? null : n.value;
        if (depth == len) {
            v = value;
        } else if (bit(addr, 0, depth) == 0) {
            zero = with(zero, addr, depth + 1, len, value, batch);
        } else {
            one = with(one, addr, depth + 1, len, value, batch);
        }
        if (zero == null && one == null && v == null) {
            return null;
        }
        if (n != null && n.batch == batch) {
            n.zero = zero;
            n.one = one;
            n.value = v;
            return n;
        }
        return new Node<>(zero, one, v, batch);
    }

    private static int bit(byte[] a, int off, int i) {
        return (a[off + (i >>> 3)] >>> (7 - (i & 7))) & 1;
    }

    /**
     * Longest-prefix match for the address at {@code address[off..off+length)}: {@code length} 4 selects the IPv4
     * table, 16 the IPv6 table. Allocation-free and lock-free.
     *
     * @return the value of the longest matching prefix, or null if none matches
     * @throws IllegalArgumentException if {@code length} is neither 4 nor 16
     */
    public V lookup(byte[] address, int off, int length) {
        return lookup(v4, v6, address, off, length);
    }

    private static <V> V lookup(Node<V> v4, Node<V> v6, byte[] address, int off, int length) {
        Node<V> n;
        if (length == 4) {
            n = v4;
        } else if (length == 16) {
            n = v6;
        } else {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + length);
        }
        int bits = length * 8;
        V best = null;
        for (int i = 0; n != null; i++) {
            if (n.value != null) {
                best = n.value;
            }
            if (i == bits) {
                break;
            }
            n = bit(address, off, i) == 0 ? n.zero : n.one;
        }
        return best;
    }

    /** {@link #lookup} for the IPv4 address at {@code address[off..off+4)}. */
    public V lookupIpv4(byte[] address, int off) {
        return lookup(address, off, 4);
    }

    /** {@link #lookup} for the IPv6 address at {@code address[off..off+16)}. */
    public V lookupIpv6(byte[] address, int off) {
        return lookup(address, off, 16);
    }

    /**
     * The route for the destination of the IP packet at {@code packet[off..off+len)}: the version nibble of the
     * first byte selects IPv4 (destination at header offset 16) or IPv6 (offset 24). Allocation-free.
     *
     * @return the matching value, or null for no match, a packet too short to hold the destination, or neither
     *         version 4 nor 6
     */
    public V lookupDestination(byte[] packet, int off, int len) {
        return lookupDestination(v4, v6, packet, off, len);
    }

    private static <V> V lookupDestination(Node<V> v4, Node<V> v6, byte[] packet, int off, int len) {
        if (len < 1) {
            return null;
        }
        int version = (packet[off] & 0xF0) >>> 4;
        if (version == 4 && len >= 20) {
            return lookup(v4, v6, packet, off + 16, 4);
        }
        if (version == 6 && len >= 40) {
            return lookup(v4, v6, packet, off + 24, 16);
        }
        return null;
    }

    /**
     * The table as it is now, for lookups: later updates do not change it (the tries are never changed in place),
     * and taking it costs nothing, so a snapshot of a large table that one update at a time keeps current is free.
     */
    public Frozen<V> frozen() {
        return new Frozen<>(v4, v6);
    }

    /** A snapshot of a {@link RouteTable} for lookups (see {@link #frozen}); allocation-free and lock-free. */
    public static final class Frozen<V> {
        private final Node<V> v4;
        private final Node<V> v6;

        private Frozen(Node<V> v4, Node<V> v6) {
            this.v4 = v4;
            this.v6 = v6;
        }

        /** {@link RouteTable#lookupDestination} as the table was when this snapshot was taken. */
        public V lookupDestination(byte[] packet, int off, int len) {
            return RouteTable.lookupDestination(v4, v6, packet, off, len);
        }
    }
}
