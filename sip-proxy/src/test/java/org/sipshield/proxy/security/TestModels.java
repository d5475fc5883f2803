package org.sipshield.proxy.security;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.sipshield.config.ConfigLoader;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.digest.LocalCounters;
import org.sipshield.digest.NonceSecret;

/** A security model built from YAML exactly as the server builds it, for unit tests that need no stack. */
public final class TestModels {
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

    private TestModels() {}

    /** yaml: the sections after server and listeners (UDP and TCP on 5060, TLS on 5061, 127.0.0.1). */
    public static SecurityModel model(String yaml) throws Exception {
        SipShieldConfig config = ConfigLoader.parse("server:\n  dataDirectory: /nonexistent-unit-test\n"
                + "listeners:\n  - {transport: UDP, address: 127.0.0.1, port: 5060}\n"
                + "  - {transport: TCP, address: 127.0.0.1, port: 5060}\n"
                + "  - {transport: TLS, address: 127.0.0.1, port: 5061}\n" + yaml, "unit.yaml");
        return new SecurityModel(config, new DigestContext(NonceSecret.generate(new SecureRandom()),
                LocalCounters.withDefaults(CLOCK), CLOCK, new SecureRandom()));
    }

    /** The stored form of an MD5 HA1, as a config file holds it. */
    public static String ha1(String user, String realm, String password) {
        return DigestChecksum.compute(DigestAlgorithm.MD5, user, realm, password.toCharArray()).toStoredForm().substring(4);
    }
}
