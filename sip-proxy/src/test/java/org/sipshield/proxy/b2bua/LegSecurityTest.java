package org.sipshield.proxy.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sipshield.proxy.b2bua.LegSecurity.AUTHENTICATED;
import static org.sipshield.proxy.b2bua.LegSecurity.ENCRYPTED;
import static org.sipshield.proxy.b2bua.LegSecurity.NOT_AUTHENTICATED;
import static org.sipshield.proxy.b2bua.SignallingProtection.ENCRYPTION;
import static org.sipshield.proxy.b2bua.SignallingProtection.INTEGRITY;
import static org.sipshield.proxy.b2bua.SignallingProtection.NONE;

import org.junit.jupiter.api.Test;
import org.sipshield.config.Transport;

/** The guide's call security status per leg, for phones and trunks, and the call's as its weakest leg. */
class LegSecurityTest {
    @Test
    void aPhoneLegIsEncryptedOnlyWithAnEncryptingSuiteAndSrtp() {
        assertEquals(ENCRYPTED, LegSecurity.of(ENCRYPTION, true, false));
        assertEquals(AUTHENTICATED, LegSecurity.of(ENCRYPTION, false, false));
        assertEquals(AUTHENTICATED, LegSecurity.of(INTEGRITY, true, false), "NULL-SHA + SRTP is Authenticated at most");
        assertEquals(AUTHENTICATED, LegSecurity.of(INTEGRITY, false, false));
        assertEquals(NOT_AUTHENTICATED, LegSecurity.of(NONE, true, false));
        assertEquals(NOT_AUTHENTICATED, LegSecurity.of(NONE, false, false));
    }

    @Test
    void aTlsTrunkLegWithoutSrtpIsNotAuthenticated() {
        assertEquals(ENCRYPTED, LegSecurity.of(ENCRYPTION, true, true));
        assertEquals(NOT_AUTHENTICATED, LegSecurity.of(ENCRYPTION, false, true));
        assertEquals(AUTHENTICATED, LegSecurity.of(INTEGRITY, true, true));
        assertEquals(NOT_AUTHENTICATED, LegSecurity.of(INTEGRITY, false, true));
        assertEquals(NOT_AUTHENTICATED, LegSecurity.of(NONE, true, true));
    }

    @Test
    void theCallIsItsWeakestLeg() {
        assertEquals(NOT_AUTHENTICATED, LegSecurity.weakest(ENCRYPTED, NOT_AUTHENTICATED));
        assertEquals(AUTHENTICATED, LegSecurity.weakest(AUTHENTICATED, ENCRYPTED));
        assertEquals(ENCRYPTED, LegSecurity.weakest(ENCRYPTED, ENCRYPTED));
    }

    @Test
    void signallingProtectionComesFromTheTransportAndTheNegotiatedSuite() {
        assertEquals(NONE, SignallingProtection.of(Transport.UDP, null));
        assertEquals(NONE, SignallingProtection.of(Transport.TCP, "TLS_AES_128_GCM_SHA256"));
        assertEquals(ENCRYPTION, SignallingProtection.of(Transport.TLS, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        assertEquals(INTEGRITY, SignallingProtection.of(Transport.TLS, "TLS_RSA_WITH_NULL_SHA"));
        assertEquals(INTEGRITY, SignallingProtection.of(Transport.TLS, null), "an unknown suite is not taken for encryption");
    }
}
