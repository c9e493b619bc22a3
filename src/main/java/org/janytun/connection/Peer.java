package org.janytun.connection;

import java.net.InetSocketAddress;
import java.util.Arrays;
import org.janytun.crypto.CtrAlgorithm;
import org.janytun.crypto.Role;

/**
 * One connection as a control daemon or cluster peer describes it (anytun's connection record): everything that
 * is per connection; cipher, auth and tag length stay process-wide. Keys never print.
 *
 * @param endpoint null when the record carries no endpoint (anytun's "unset" {@code 0.0.0.0}/{@code ::}): the
 *                 endpoint is then learned, or kept if already known
 */
public record Peer(int mux, Role role, CtrAlgorithm kdPrf, byte[] masterKey, byte[] masterSalt, long windowSize,
                   int seq, InetSocketAddress endpoint) {

    public Peer {
        masterKey = masterKey.clone();
        masterSalt = masterSalt.clone();
    }

    /** Same keys and role: an existing connection can keep its counters, windows and learned endpoint. */
    boolean sameKeysAs(Peer o) {
        return o != null && role == o.role && kdPrf == o.kdPrf && Arrays.equals(masterKey, o.masterKey)
                && Arrays.equals(masterSalt, o.masterSalt) && windowSize == o.windowSize;
    }

    @Override
    public byte[] masterKey() {
        return masterKey.clone();
    }

    @Override
    public byte[] masterSalt() {
        return masterSalt.clone();
    }

    @Override
    public String toString() {
        return "mux " + mux + ", role " + role.name().toLowerCase() + ", kd-prf " + kdPrf.optionName() + ", window "
                + windowSize + ", endpoint " + (endpoint == null ? "learned" : endpoint);
    }
}
