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
 * @param flow            the node and listener holding it (null for rows written before nodes were recorded)
 */
public record Binding(String deviceName, String addressOfRecord, String contactUri, String instanceId,
        SourceAddress source, String callId, long cseq, Instant registeredAt, Instant expiresAt,
        String userAgent, Flow flow) {
    public Binding {
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(addressOfRecord, "addressOfRecord");
        Objects.requireNonNull(contactUri, "contactUri");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(registeredAt, "registeredAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /**
     * Whether a node can send this binding's phone a request: a UDP phone is reached from any node
     * (its source address is its flow), a TCP or TLS phone only over its connection, on the node that
     * holds it. A row without a node (written by a single node before they were recorded) is local.
     */
    public boolean reachableFrom(String nodeName) {
        return source.transport() == org.sipshield.config.Transport.UDP || flow == null
                || flow.nodeName().equals(nodeName);
    }

    public boolean isActiveAt(Instant now) {
        return expiresAt.isAfter(now);
    }

    /** Whole seconds left, as the 200 OK's Contact expires parameter states them. */
    public long remainingSeconds(Instant now) {
        return Math.max(0, Duration.between(now, expiresAt).toSeconds());
    }
}
