package org.sipshield.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.InvalidCipherStringException;
import org.sipshield.tls.TlsCiphersOption;
import org.sipshield.tls.TlsPolicy;

/**
 * Reads the {@code tls:} section. Beyond each value's own syntax it refuses what the proxy could
 * not serve: a cipher string that leaves an interface no suite, an OCSP responder or webhook URL
 * the HTTP client would refuse or that would put a password in the log.
 */
final class TlsSettingsReader {
    private TlsSettingsReader() {}

    static TlsSettings tls(YamlMapping m) {
        String minimum = m.string("minimumVersion", "1.2");
        if (!List.of("1.0", "1.1", "1.2").contains(minimum)) {
            m.problem("minimumVersion", "'" + minimum + "' is not a minimum TLS version", "1.0, 1.1, 1.2");
            minimum = "1.2";
        }
        boolean tls13 = m.bool("tls13", true);
        String option = m.string("tlsCiphers", "all-ciphers-rsa-preferred");
        YamlMapping strings = m.mapping("cipherManagement");
        String allTls = blankToNull(strings.string("allTls", null));
        String sipTls = blankToNull(strings.string("sipTls", null));
        String httpsTls = blankToNull(strings.string("httpsTls", null));
        strings.finish();
        TlsPolicy policy = TlsPolicy.defaults();
        try {
            TlsCiphersOption.fromName(option);
        } catch (IllegalArgumentException e) {
            m.problem("tlsCiphers", "'" + option + "' is not a TLS Ciphers option",
                    String.join(", ", Arrays.stream(TlsCiphersOption.values())
                            .map(o -> o.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList()));
            option = null;
        }
        try {
            policy = TlsPolicy.of(minimum, tls13, option, allTls, sipTls, httpsTls);
        } catch (InvalidCipherStringException e) {
            strings.problem(e.field().equals("all-tls") ? "allTls" : e.field().equals("sip-tls") ? "sipTls" : "httpsTls",
                    "invalid cipher string '" + e.cipherString() + "': " + e.problem(), "OpenSSL cipher-string syntax");
        } catch (IllegalArgumentException e) {
            m.problem(null, e.getMessage(), null);
        }
        String sipKey = sipTls != null ? "sipTls" : "allTls";
        String httpsKey = httpsTls != null ? "httpsTls" : "allTls";
        boolean sipServable = servable(m, strings, policy, CertificatePurpose.SIP, sipKey);
        if (sipServable || !sipKey.equals(httpsKey)) {
            servable(m, strings, policy, CertificatePurpose.HTTPS, httpsKey);
        }
        YamlMapping ocsp = m.mapping("ocsp");
        boolean ocspEnabled = ocsp.bool("enabled", false);
        URI responder = uri(ocsp, "responder", List.of("http"),
                "OCSP is asked over plain http (RFC 6960 A.1): its answers are signed, and an https responder"
                        + " would need its own certificate checked first");
        int checkEvery = ocsp.integer("checkEverySeconds", 3600, 60, 604800);
        boolean strict = ocsp.bool("strict", false);
        ocsp.finish();
        YamlMapping monitor = m.mapping("certificateMonitor");
        int startDays = monitor.integer("notificationStartDays", 30, 1, 365);
        int frequencyHours = monitor.integer("notificationFrequencyHours", 24, 1, 720);
        URI webhook = uri(monitor, "webhook", List.of("http", "https"), null);
        monitor.finish();
        m.finish();
        return new TlsSettings(policy, ocspEnabled, responder, checkEvery, strict, startDays, frequencyHours, webhook);
    }

    /**
     * A string can be valid and still leave an interface nothing to offer (TLS 1.3 suites only
     * with tls13: false; TLS 1.0-only suites above the minimum version): the listener could not
     * start, so the file is refused at the key that did it.
     */
    private static boolean servable(YamlMapping m, YamlMapping strings, TlsPolicy policy,
            CertificatePurpose tlsInterface, String stringKey) {
        try {
            policy.effective(tlsInterface);
            return true;
        } catch (IllegalArgumentException e) {
            boolean fromString = stringKey.equals("allTls") ? policy.allTls().isPresent()
                    : (tlsInterface == CertificatePurpose.SIP ? policy.sipTls() : policy.httpsTls()).isPresent();
            String allowed = "a cipher string that selects a suite of TLS " + policy.minimumVersion().number()
                    + " or newer, or tls13: true for its TLS 1.3 suites";
            if (fromString) {
                strings.problem(stringKey, e.getMessage(), allowed);
            } else {
                m.problem("tlsCiphers", e.getMessage(), allowed);
            }
            return false;
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    /**
     * A URL the proxy will really call: one of these schemes, a host, no user info (it would be a
     * password in the log lines that name the URL), nothing java.net.http refuses at run time.
     */
    private static URI uri(YamlMapping m, String key, List<String> schemes, String why) {
        String text = blankToNull(m.string(key, null));
        if (text == null) {
            return null;
        }
        String allowed = String.join(" or ", schemes.stream().map(s -> s + "://host[:port]/path").toList());
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            m.problem(key, "'" + text + "' is not a URL: " + e.getReason(), allowed);
            return null;
        }
        // Problem lines are printed and logged: they name the URL without its user information.
        String shown = uri.getRawUserInfo() == null ? text : text.replace(uri.getRawUserInfo() + "@", "");
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null || !schemes.contains(scheme)) {
            m.problem(key, "'" + shown + "' is not an " + String.join("/", schemes)
                    + " URL" + (why == null ? "" : ": " + why), allowed);
            return null;
        }
        if (uri.getHost() == null) {
            m.problem(key, "'" + shown + "' names no host", allowed);
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            m.problem(key, "'" + shown + "' holds user information before its host,"
                    + " which would be written to the log", allowed);
            return null;
        }
        try {
            java.net.http.HttpRequest.newBuilder(uri);
        } catch (IllegalArgumentException e) {
            m.problem(key, "'" + shown + "' cannot be requested: " + e.getMessage(), allowed);
            return null;
        }
        return uri;
    }
}
