package org.sipshield.config;

import java.util.List;

/**
 * A SIP phone: it registers its lines (directory numbers) and is challenged as its digest user
 * when its profile enables digest authentication.
 */
public record Phone(String deviceName, String securityProfile, String digestUser, List<String> lines) {
    public Phone {
        lines = List.copyOf(lines);
    }
}
