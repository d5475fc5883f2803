package org.sipshield.proxy.security;

import java.util.List;
import org.sipshield.tls.CertificateFingerprint;

/**
 * A phone or a voicemail port as the proxy sees it, the one device type of the pipeline, the
 * registrar and the B2BUA: a name, its directory numbers (the lines it may register), its digest
 * user, and the certificate it pins (null: it has to present one from the SIP trust store).
 */
public record DeviceIdentity(Kind kind, String deviceName, List<String> directoryNumbers, String securityProfile,
        String digestUser, CertificateFingerprint certificateFingerprint) {
    public enum Kind {
        PHONE("phone"), VOICEMAIL_PORT("voicemail port");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public DeviceIdentity {
        directoryNumbers = List.copyOf(directoryNumbers);
    }

    /** Whether this device may register (and be reached at) this directory number. */
    public boolean owns(String directoryNumber) {
        return directoryNumbers.contains(directoryNumber);
    }
}
