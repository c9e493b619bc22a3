package org.janytun.noise;

import java.util.ArrayList;
import java.util.List;

/**
 * A handshake pattern with its modifiers applied: the IK family (§7.5 IK, §18 deferred IK1), the {@code pskN}
 * modifiers (§9.2) and {@code hfs} (noise_hfs.md §5), written as in a protocol name, e.g. {@code IKhfs+psk2}.
 *
 * @param name           as in the protocol name
 * @param responderStaticKnown the pre-message {@code <- s}: the initiator knows the responder's static key
 * @param messages       the token lists, initiator's first, alternating
 */
public record HandshakePattern(String name, boolean responderStaticKnown, List<List<Token>> messages) {

    public HandshakePattern {
        messages = messages.stream().map(List::copyOf).toList();
    }

    /** Parses {@code IK}, {@code IK1}, with modifiers {@code psk0..psk2} and {@code hfs}, e.g. {@code IKhfs+psk2}. */
    public static HandshakePattern parse(String name) {
        String base;
        String modifiers;
        if (name.startsWith("IK1")) {
            base = "IK1";
        } else if (name.startsWith("IK")) {
            base = "IK";
        } else {
            throw new IllegalArgumentException("unsupported handshake pattern " + name);
        }
        modifiers = name.substring(base.length());
        List<List<Token>> msgs = new ArrayList<>();
        if (base.equals("IK")) {
            msgs.add(new ArrayList<>(List.of(Token.E, Token.ES, Token.S, Token.SS)));
            msgs.add(new ArrayList<>(List.of(Token.E, Token.EE, Token.SE)));
        } else {
            msgs.add(new ArrayList<>(List.of(Token.E, Token.S)));
            msgs.add(new ArrayList<>(List.of(Token.E, Token.EE, Token.SE, Token.ES)));
        }
        if (!modifiers.isEmpty()) {
            for (String m : modifiers.split("\\+", -1)) {
                if (m.equals("hfs")) {
                    applyHfs(msgs);
                } else if (m.matches("psk[0-2]")) {
                    int n = m.charAt(3) - '0';
                    if (n == 0) {
                        msgs.get(0).add(0, Token.PSK);
                    } else {
                        msgs.get(n - 1).add(Token.PSK);
                    }
                } else {
                    throw new IllegalArgumentException("unsupported pattern modifier " + m + " in " + name);
                }
            }
        }
        return new HandshakePattern(name, true, msgs);
    }

    /**
     * {@code e1} directly after the first {@code e}, or after the first DH that follows it in the same message;
     * {@code ekem1} directly after the first {@code ee}.
     */
    private static void applyHfs(List<List<Token>> msgs) {
        boolean e1Placed = false;
        for (List<Token> msg : msgs) {
            int e = msg.indexOf(Token.E);
            if (e < 0) {
                continue;
            }
            int at = e + 1;
            for (int i = e + 1; i < msg.size(); i++) {
                if (msg.get(i).isDh()) {
                    at = i + 1;
                    break;
                }
            }
            msg.add(at, Token.E1);
            e1Placed = true;
            break;
        }
        for (List<Token> msg : msgs) {
            int ee = msg.indexOf(Token.EE);
            if (ee >= 0) {
                msg.add(ee + 1, Token.EKEM1);
                break;
            }
        }
        if (!e1Placed) {
            throw new IllegalArgumentException("hfs needs an e token");
        }
    }

    public boolean hasPsk() {
        return messages.stream().anyMatch(m -> m.contains(Token.PSK));
    }

    public boolean hasHfs() {
        return messages.stream().anyMatch(m -> m.contains(Token.E1));
    }
}
