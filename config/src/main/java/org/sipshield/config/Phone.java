package org.sipshield.config;

import java.util.List;
import org.sipshield.tls.CertificateFingerprint;

/**
 * A SIP phone: it registers its lines (directory numbers) and is challenged as its digest user
 * when its profile enables digest authentication. In an Authenticated or Encrypted profile it
 * proves itself with its TLS certificate: one from the SIP trust store naming the device, or the
 * one whose fingerprint is pinned here (null: none pinned).
 */
public record Phone(String deviceName, String securityProfile, String digestUser, List<String> lines,
        CertificateFingerprint certificateFingerprint) {
    public Phone {
        lines = List.copyOf(lines);
    }
}
