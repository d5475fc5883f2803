package org.sipshield.config;

/** How plain RTP legs learn their peer's real address (SRTP legs always latch on an authenticated packet). */
public enum MediaLatching {
    /** Only a packet from the address and port signalled in SDP latches. */
    SIGNALLED_ADDRESS,
    /** The first packet from any address latches (peers behind NAT that signal a private address). */
    ANY_ADDRESS
}
