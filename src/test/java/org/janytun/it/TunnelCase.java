package org.janytun.it;

/** One test: a {@link Scenario} run by a {@link Pairing}. The name is what JUnit reports. */
public record TunnelCase(Scenario scenario, Pairing pairing) {
    @Override
    public String toString() {
        return scenario.id() + ": " + pairing + " (" + scenario.title() + ")";
    }

    public String slug() {
        return scenario.id() + "-" + pairing.slug();
    }

    public boolean involves(Kind k) {
        return pairing.left() == k || pairing.right() == k;
    }
}
