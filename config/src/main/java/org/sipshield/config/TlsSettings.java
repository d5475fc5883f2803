package org.sipshield.config;

import java.net.URI;
import org.sipshield.tls.TlsPolicy;

/**
 * The TLS section: the policy (minimum version, TLS 1.3, the TLS Ciphers option and the cipher
 * management strings), certificate revocation checks and the expiry monitor.
 *
 * @param ocspResponder       null: the responder named in each certificate
 * @param expiryWebhook       null: log and metrics only
 */
public record TlsSettings(TlsPolicy policy, boolean ocspEnabled, URI ocspResponder, int ocspCheckEverySeconds,
        boolean ocspStrict, int notificationStartDays, int notificationFrequencyHours, URI expiryWebhook) {}
