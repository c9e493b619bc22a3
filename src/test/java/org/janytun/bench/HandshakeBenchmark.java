package org.janytun.bench;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.janytun.noise.HandshakeState;
import org.janytun.noise.NoiseCipher;
import org.janytun.noise.NoiseException;
import org.janytun.noise.Protocol;
import org.janytun.noise.X25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Handshakes per second on one core for the SATP-session handshake ({@code Noise_IKpsk2} with or without the
 * hybrid {@code hfs} ML-KEM-768 part). Run it with {@code bin/bench-core HandshakeBenchmark}.
 * <ul>
 *   <li>{@code full}: both sides of one handshake in one thread (4 messages' work: write/read × 2, split × 2),
 *       fresh ephemerals each time.</li>
 *   <li>{@code respond}: what a server spends on one valid initiation: read it, answer, split — the figure a
 *       handshake flood is measured against (mac1 and cookies come before this and are not included).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HandshakeBenchmark {
    @Param({"true", "false"})
    public boolean pq;

    @Param({"AESGCM"})
    public String cipher;

    private Protocol protocol;
    private final SecureRandom random = new SecureRandom();
    private final byte[] prologue = "janytun bench".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private final byte[] psk = new byte[32];
    private X25519.KeyPair initiatorStatic;
    private X25519.KeyPair responderStatic;
    private byte[] initiation;

    @Setup(Level.Trial)
    public void setUp() {
        protocol = Protocol.ikPsk2(NoiseCipher.valueOf(cipher.equals("AESGCM") ? "AESGCM" : "CHACHAPOLY"), pq);
        initiatorStatic = X25519.generate(random);
        responderStatic = X25519.generate(random);
        random.nextBytes(psk);
        initiation = initiator().writeMessage(new byte[16]);
    }

    private HandshakeState initiator() {
        return new HandshakeState(protocol, true, prologue, initiatorStatic, null, responderStatic.publicKey(),
                List.of(psk), random);
    }

    private HandshakeState responder() {
        return new HandshakeState(protocol, false, prologue, responderStatic, null, null, List.of(psk), random);
    }

    @Benchmark
    public byte[][] full() throws NoiseException {
        HandshakeState i = initiator();
        HandshakeState r = responder();
        r.readMessage(i.writeMessage(new byte[16]));
        i.readMessage(r.writeMessage(new byte[4]));
        r.splitKeys();
        return i.splitKeys();
    }

    @Benchmark
    public byte[][] respond() throws NoiseException {
        HandshakeState r = responder();
        r.readMessage(initiation);
        r.writeMessage(new byte[4]);
        return r.splitKeys();
    }
}
