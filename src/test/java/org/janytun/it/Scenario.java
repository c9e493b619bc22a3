package org.janytun.it;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One tunnel configuration to test, independent of which programs run the two ends: options for both ends,
 * options for one end only, and {@link Feature}s that change how the {@link CaseRunner} lays out and checks the
 * tunnel. Build with {@link #named}; the catalogue is {@link Scenarios}.
 */
public final class Scenario {
    /** Layout and check variations understood by the {@link CaseRunner}. */
    public enum Feature {
        /** Leave out {@code -p}/{@code -o}: both ends use port 4444 (otherwise each case gets its own ports). */
        DEFAULT_PORTS,
        /** The left end gets no {@code -e} (relies on the default role, left). */
        DEFAULT_ROLE_LEFT,
        /** tap devices ({@code -t tap}): Ethernet frames, ARP; the neighbour entries are checked. */
        TAP,
        /** After start, add {@code fd00:<case>::1/2} to the devices; ping6 both ways and run the TCP transfer over IPv6. */
        INNER_V6,
        /** The ends talk over the veth's IPv6 addresses, with {@code -6}. */
        OUTER_V6,
        /** The right end gets no {@code -r}/{@code -o}: it learns the remote from the first packet (left pings first). */
        RIGHT_LEARNS_REMOTE,
        /**
         * A datagram the right end already accepted is replayed from a third address (namespace C); the right end
         * must drop it and keep its remote: pings from the right still work. Needs {@code -w > 0}.
         */
        REPLAY_REJECTED,
        /**
         * Control experiment for {@link #REPLAY_REJECTED} with {@code -w 0}: the replay must move the right end's
         * remote to C (SPEC §11.1), so the right end's pings go unanswered. Proves that the probe reaches the receiver.
         */
        REPLAY_REDIRECTS,
        /** Skip the bulk TCP transfer. */
        NO_TCP,
        /** Also bursts of UDP datagrams each way, each datagram checked (what a receiving end coalesces, USO). */
        UDP_BURSTS
    }

    private final String id;
    private final String title;
    private final Set<Feature> features;
    private final List<Consumer<EndpointSpec>> both;
    private final List<Consumer<EndpointSpec>> left;
    private final List<Consumer<EndpointSpec>> right;

    private Scenario(Builder b) {
        this.id = b.id;
        this.title = b.title;
        this.features = b.features.isEmpty() ? Set.of() : Set.copyOf(b.features);
        this.both = List.copyOf(b.both);
        this.left = List.copyOf(b.left);
        this.right = List.copyOf(b.right);
    }

    public static Builder named(String id, String title) {
        return new Builder(id, title);
    }

    /** Short identifier (used in test names and log folders). */
    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public boolean has(Feature f) {
        return features.contains(f);
    }

    public Set<Feature> features() {
        return features;
    }

    /** Applies the scenario's options to the two ends (after the runner has filled in layout: devices, addresses, ports). */
    public void configure(EndpointSpec leftEnd, EndpointSpec rightEnd) {
        for (Consumer<EndpointSpec> c : both) {
            c.accept(leftEnd);
            c.accept(rightEnd);
        }
        left.forEach(c -> c.accept(leftEnd));
        right.forEach(c -> c.accept(rightEnd));
    }

    @Override
    public String toString() {
        return id;
    }

    public static final class Builder {
        private final String id;
        private final String title;
        private final EnumSet<Feature> features = EnumSet.noneOf(Feature.class);
        private final List<Consumer<EndpointSpec>> both = new ArrayList<>();
        private final List<Consumer<EndpointSpec>> left = new ArrayList<>();
        private final List<Consumer<EndpointSpec>> right = new ArrayList<>();

        private Builder(String id, String title) {
            this.id = id;
            this.title = title;
        }

        /** Options for both ends. */
        public Builder both(Consumer<EndpointSpec> c) {
            both.add(c);
            return this;
        }

        /** Options for the left end only. */
        public Builder left(Consumer<EndpointSpec> c) {
            left.add(c);
            return this;
        }

        /** Options for the right end only. */
        public Builder right(Consumer<EndpointSpec> c) {
            right.add(c);
            return this;
        }

        public Builder with(Feature... fs) {
            features.addAll(List.of(fs));
            return this;
        }

        public Scenario build() {
            return new Scenario(this);
        }
    }
}
