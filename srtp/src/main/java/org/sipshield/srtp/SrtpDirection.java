package org.sipshield.srtp;

/** A session protects what we send on a leg (OUTBOUND) or unprotects what we receive (INBOUND). */
public enum SrtpDirection {
    OUTBOUND,
    INBOUND
}
