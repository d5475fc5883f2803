package org.sipshield.media.bench;

import java.util.List;
import org.sipshield.srtp.CryptoSuite;
import org.sipshield.srtp.SdesNegotiator;
import org.sipshield.srtp.SrtpCipherPolicy;
import org.sipshield.srtp.SrtpKeyManager;

/** The suites of the benchmark's streams: leg A AES_CM_128_HMAC_SHA1_80 in, leg B AEAD_AES_128_GCM out. */
final class Keys {
    static final SrtpKeyManager MANAGER = new SrtpKeyManager();
    static final SrtpCipherPolicy LEG_A = SrtpCipherPolicy.of(List.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
    static final SrtpCipherPolicy LEG_B = SrtpCipherPolicy.of(List.of(CryptoSuite.AEAD_AES_128_GCM));

    private Keys() {}

    static SdesNegotiator negotiator(SrtpCipherPolicy policy) {
        return new SdesNegotiator(policy, MANAGER);
    }
}
