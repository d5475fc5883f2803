package org.sipshield.digest;

/**
 * What a nonce can be bound to besides realm and time (Kamailio's auth_checks idea): a nonce
 * presented from another source address, or in another Call-ID, is not ours and is rechallenged.
 */
public enum NonceBinding {
    /** The request's source IP address (not the port: NAT rebinding changes ports). */
    SOURCE_ADDRESS,
    /**
     * The request's Call-ID. Phones refresh REGISTER in one Call-ID, but each INVITE has its own,
     * so preemptive credentials in a new call are rechallenged once.
     */
    CALL_ID
}
