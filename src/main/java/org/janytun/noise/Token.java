package org.janytun.noise;

/** The tokens of a Noise message pattern (§7.1, §9.1) and of the {@code hfs} modifier (noise_hfs.md §4). */
public enum Token {
    E, S, EE, ES, SE, SS, PSK, E1, EKEM1;

    boolean isDh() {
        return this == EE || this == ES || this == SE || this == SS;
    }
}
