package org.sipshield.digest;

/** What the proxy does with requests from a blocked source during its cool-down. */
public enum BlockAction {
    /** Answer 403 Forbidden: polite, tells a misconfigured phone why. */
    REJECT_403,
    /** Send nothing: costs a scanner a timeout per request and us no bandwidth. */
    DROP
}
