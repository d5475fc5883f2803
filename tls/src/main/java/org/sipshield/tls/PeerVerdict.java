package org.sipshield.tls;

import java.util.Objects;

/**
 * Whether a TLS peer is who a profile expects: accepted with the name that matched, or rejected
 * with a reason. {@link #securityEvent(String)} is the log line the proxy writes.
 */
public sealed interface PeerVerdict {

    boolean accepted();

    /** The peer certificate's subject, or "-" when the peer presented none. */
    String subject();

    /** SECURITY tls-peer-accepted|tls-peer-rejected src=... subject="..." ... */
    String securityEvent(String source);

    enum Reason {
        /** No certificate was presented. */
        NO_CERTIFICATE("no-certificate"),
        /** The chain does not lead to a certificate of the purpose's trust store. */
        UNTRUSTED_CHAIN("untrusted-chain"),
        /** A certificate of the chain is outside its validity period. */
        EXPIRED_OR_NOT_YET_VALID("certificate-not-valid-now"),
        /** Neither the CN nor a SAN is in the profile's list. */
        NAME_NOT_ALLOWED("name-not-allowed"),
        /** The OCSP responder says revoked. */
        REVOKED("revoked"),
        /** The OCSP responder does not know the certificate, or could not be asked, in strict mode. */
        REVOCATION_UNKNOWN("revocation-status-unknown");

        private final String logName;

        Reason(String logName) {
            this.logName = logName;
        }

        public String logName() {
            return logName;
        }
    }

    record Accepted(String subject, String matchedName) implements PeerVerdict {
        public Accepted {
            Objects.requireNonNull(subject);
            Objects.requireNonNull(matchedName);
        }

        @Override
        public boolean accepted() {
            return true;
        }

        @Override
        public String securityEvent(String source) {
            return "SECURITY tls-peer-accepted src=" + source + " subject=\"" + subject + "\" name=" + matchedName;
        }
    }

    record Rejected(String subject, Reason reason, String detail) implements PeerVerdict {
        public Rejected {
            Objects.requireNonNull(reason);
            Objects.requireNonNull(detail);
        }

        @Override
        public boolean accepted() {
            return false;
        }

        @Override
        public String securityEvent(String source) {
            return "SECURITY tls-peer-rejected src=" + source + " reason=" + reason.logName() + " subject=\""
                    + subject + "\" detail=\"" + detail.replace('"', '\'') + "\"";
        }
    }
}
