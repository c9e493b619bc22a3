package org.janytun.it;

/** Which programs run the left and right ends, and which one is started (and ready) first. */
public record Pairing(Kind left, Kind right, boolean rightFirst) {
    public static Pairing of(Kind left, Kind right) {
        return new Pairing(left, right, false);
    }

    public static Pairing rightFirst(Kind left, Kind right) {
        return new Pairing(left, right, true);
    }

    @Override
    public String toString() {
        return left.label() + "[left" + (rightFirst ? ",2nd" : ",1st") + "] <-> " + right.label() + "[right"
                + (rightFirst ? ",1st" : ",2nd") + "]";
    }

    /** File-name friendly form. */
    public String slug() {
        return left.label() + "-" + right.label() + (rightFirst ? "-rightfirst" : "");
    }
}
