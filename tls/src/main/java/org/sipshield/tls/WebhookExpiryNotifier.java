package org.sipshield.tls;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts each expiry warning as JSON to a webhook. A failed delivery is logged and dropped: the
 * log line the monitor writes anyway is the record of last resort.
 */
public final class WebhookExpiryNotifier implements CertificateExpiryMonitor.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookExpiryNotifier.class);

    private final URI endpoint;
    private final Duration timeout;
    private final HttpClient http;

    public WebhookExpiryNotifier(URI endpoint, Duration timeout) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("a webhook URI is http:// or https://, not " + endpoint);
        }
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public void onExpiryWarning(ExpiryWarning warning) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(endpoint).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json(warning))).build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                LOG.warn("expiry webhook {} answered HTTP {}", endpoint, response.statusCode());
            }
        } catch (IOException e) {
            LOG.warn("expiry webhook {} unreachable: {}", endpoint, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String json(ExpiryWarning warning) {
        return "{\"event\":\"certificate-expiry\",\"certificate\":" + quote(warning.certificate())
                + ",\"subject\":" + quote(warning.subject())
                + ",\"notAfter\":" + quote(warning.notAfter().toString())
                + ",\"daysRemaining\":" + warning.daysRemaining()
                + ",\"expired\":" + warning.expired()
                + ",\"message\":" + quote(warning.message()) + "}";
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    @Override
    public String toString() {
        return "webhook " + endpoint;
    }
}
