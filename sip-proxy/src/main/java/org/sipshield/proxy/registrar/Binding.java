package org.sipshield.proxy.registrar;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One registered contact of one line (address of record) of a device.
 *
 * @param addressOfRecord the directory number the REGISTER's To URI named
 * @param contactUri      where the device wants its requests (as it wrote it; often a private address)
 * @param instanceId      the Contact's +sip.instance (RFC 5626), or null
 * @param source          the socket it registered from: where requests are really sent through NAT
 * @param userAgent       its User-Agent header, or null
 */
public record Binding(String deviceName, String addressOfRecord, String contactUri, String instanceId,
        SourceAddress source, String callId, long cseq, Instant registeredAt, Instant expiresAt,
        String userAgent) {
    public Binding {
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(addressOfRecord, "addressOfRecord");
        Objects.requireNonNull(contactUri, "contactUri");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(registeredAt, "registeredAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public boolean isActiveAt(Instant now) {
        return expiresAt.isAfter(now);
    }

    /** Whole seconds left, as the 200 OK's Contact expires parameter states them. */
    public long remainingSeconds(Instant now) {
        return Math.max(0, Duration.between(now, expiresAt).toSeconds());
    }
}
