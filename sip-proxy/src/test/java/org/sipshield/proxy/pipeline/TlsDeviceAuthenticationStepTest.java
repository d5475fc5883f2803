package org.sipshield.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.pipeline.StepFixture.arriving;
import static org.sipshield.proxy.pipeline.StepFixture.text;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipshield.config.Transport;
import org.sipshield.proxy.security.DeviceIdentity;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.tls.CertificateChainValidator;
import org.sipshield.tls.CertificateFingerprint;
import org.sipshield.tls.SelfSignedCertificates;

/** An Encrypted device is itself only with its own certificate (trusted and naming it, or pinned) over an encrypting suite. */
class TlsDeviceAuthenticationStepTest {
    static final String ENCRYPTING = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";

    static X509Certificate first;
    static X509Certificate second;
    static X509Certificate pinnedOnly;
    static SecurityModel model;
    static TlsDeviceAuthentication step;

    @BeforeAll
    static void certificates() throws Exception {
        first = SelfSignedCertificates.generate("SEP000000003001").certificate();
        second = SelfSignedCertificates.generate("SEP000000003002").certificate();
        pinnedOnly = SelfSignedCertificates.generate("any-name.example").certificate();
        model = StepFixture.model("""
                phoneSecurityProfiles:
                  - {name: Encrypted phones, deviceSecurityMode: Encrypted, transportType: TLS}
                phones:
                  - {deviceName: SEP000000003001, securityProfile: Encrypted phones, lines: ["3001"]}
                  - {deviceName: SEP000000003002, securityProfile: Encrypted phones, lines: ["3002"]}
                  - deviceName: SEP000000003003
                    securityProfile: Encrypted phones
                    lines: ["3003"]
                    certificateFingerprint: "%s"
                """.formatted(CertificateFingerprint.of(pinnedOnly)));
        // the trust store holds the first two devices' certificates, not the pinned one
        step = new TlsDeviceAuthentication(() -> model,
                new CertificateChainValidator(() -> List.of(first, second), Clock.systemUTC()));
    }

    static Verdict speakingAs(String device, String suite, X509Certificate... chain) throws Exception {
        InboundRequest request = arriving(text("REGISTER", "sip:127.0.0.1", "x", null, ""), Transport.TLS, "192.0.2.30",
                new InboundRequest.Tls(List.of(chain), suite));
        DeviceIdentity identity = model.deviceByName(device).orElseThrow();
        request.peer(new Peer.Device(identity, model.profileOf(identity)));
        return step.apply(request);
    }

    @Test
    void itsOwnTrustedCertificateNamingItPasses() throws Exception {
        assertTrue(speakingAs("SEP000000003001", ENCRYPTING, first).proceeds());
    }

    @Test
    void noCertificateAnotherDevicesCertificateOrANullSuiteGet403() throws Exception {
        assertEquals(403, speakingAs("SEP000000003001", ENCRYPTING).status());
        assertEquals(403, speakingAs("SEP000000003001", ENCRYPTING, second).status());
        assertEquals(403, speakingAs("SEP000000003001", "TLS_RSA_WITH_NULL_SHA256", first).status());
    }

    @Test
    void aPinnedCertificateStandsForItsDeviceOnly() throws Exception {
        assertTrue(speakingAs("SEP000000003003", ENCRYPTING, pinnedOnly).proceeds());
        assertEquals(403, speakingAs("SEP000000003001", ENCRYPTING, pinnedOnly).status());
    }
}
