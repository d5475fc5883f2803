package org.sipshield.tls;

import javax.net.ssl.SSLException;

/** An outbound TLS connection closed because the server is not the one the profile names. */
public final class PeerRejectedException extends SSLException {
    private final transient PeerVerdict verdict;

    public PeerRejectedException(PeerVerdict verdict, String source) {
        super(verdict.securityEvent(source));
        this.verdict = verdict;
    }

    public PeerVerdict verdict() {
        return verdict;
    }
}
