package org.sipshield.media;

/** The two legs of a relay session. */
public enum RelaySide {
    A, B;

    public RelaySide other() {
        return this == A ? B : A;
    }
}
