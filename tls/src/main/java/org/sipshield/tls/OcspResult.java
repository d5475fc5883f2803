package org.sipshield.tls;

import java.time.Instant;

/** An OCSP answer for one certificate, as the reference names them: good, revoked, unknown. */
public record OcspResult(Status status, String detail, Instant checkedAt) {
    public enum Status {
        /** Not revoked (which does not by itself prove the certificate was issued). */
        GOOD,
        /** Revoked, permanently or on hold. */
        REVOKED,
        /** The responder does not know it, or could not be asked or believed; the detail says which. */
        UNKNOWN
    }
}
