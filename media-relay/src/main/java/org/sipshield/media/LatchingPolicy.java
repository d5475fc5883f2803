package org.sipshield.media;

/**
 * How a plain RTP leg learns where its peer really sends from (NAT). SRTP legs always latch on
 * the first packet that authenticates, whatever this says: only the key holder can move them.
 */
public enum LatchingPolicy {
    /** The first packet from the address and port the peer signalled in its SDP. */
    SIGNALLED_ADDRESS,
    /** The first packet from any address (peers behind NAT that signal a private address). */
    ANY_ADDRESS
}
