package org.sipshield.srtp;

import java.util.Optional;
import org.sipshield.jni.SrtpNative;

/**
 * The SRTP crypto suites sipshield supports, by their SDES (RFC 4568) names. Each knows its
 * master key, master salt and authentication tag lengths, in octets.
 */
public enum CryptoSuite {
    /** RFC 7714: AES-256 in GCM, 16-octet tag, 96-bit salt. */
    AEAD_AES_256_GCM("AEAD_AES_256_GCM", new SuiteParams(SuiteParams.Kind.GCM, 32, 12, 16, 16, SrtpNative.SUITE_AEAD_AES_256_GCM)),
    /** RFC 7714: AES-128 in GCM, 16-octet tag, 96-bit salt. */
    AEAD_AES_128_GCM("AEAD_AES_128_GCM", new SuiteParams(SuiteParams.Kind.GCM, 16, 12, 16, 16, SrtpNative.SUITE_AEAD_AES_128_GCM)),
    /** RFC 6188: AES-256 counter mode, HMAC-SHA1 80-bit tag. */
    AES_256_CM_HMAC_SHA1_80("AES_256_CM_HMAC_SHA1_80", new SuiteParams(SuiteParams.Kind.CM, 32, 14, 10, 10, SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_80)),
    /** RFC 6188: AES-256 counter mode, HMAC-SHA1 32-bit SRTP tag (SRTCP keeps 80 bits). */
    AES_256_CM_HMAC_SHA1_32("AES_256_CM_HMAC_SHA1_32", new SuiteParams(SuiteParams.Kind.CM, 32, 14, 4, 10, SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_32)),
    /** RFC 3711 / RFC 4568: AES-128 counter mode, HMAC-SHA1 80-bit tag. */
    AES_CM_128_HMAC_SHA1_80("AES_CM_128_HMAC_SHA1_80", new SuiteParams(SuiteParams.Kind.CM, 16, 14, 10, 10, SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_80)),
    /** RFC 3711 / RFC 4568: AES-128 counter mode, HMAC-SHA1 32-bit SRTP tag (SRTCP keeps 80 bits). */
    AES_CM_128_HMAC_SHA1_32("AES_CM_128_HMAC_SHA1_32", new SuiteParams(SuiteParams.Kind.CM, 16, 14, 4, 10, SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_32)),
    /** RFC 3711 AES-f8 mode, HMAC-SHA1 80-bit tag. Not in libsrtp2; used only when a policy lists it. */
    F8_128_HMAC_SHA1_80("F8_128_HMAC_SHA1_80", new SuiteParams(SuiteParams.Kind.F8, 16, 14, 10, 10, SrtpNative.SUITE_F8_128_HMAC_SHA1_80));

    private final String sdesName;
    private final SuiteParams params;

    CryptoSuite(String sdesName, SuiteParams params) {
        this.sdesName = sdesName;
        this.params = params;
    }

    /** The crypto-suite name as it appears in an SDP a=crypto line. */
    public String sdesName() {
        return sdesName;
    }

    public int masterKeyLength() {
        return params.keyLength();
    }

    public int masterSaltLength() {
        return params.saltLength();
    }

    /** Authentication tag appended to each SRTP packet. */
    public int srtpAuthTagLength() {
        return params.srtpTagLength();
    }

    /** Authentication tag appended to each SRTCP packet (80 bits even for the _32 suites). */
    public int srtcpAuthTagLength() {
        return params.srtcpTagLength();
    }

    public boolean isAead() {
        return params.kind() == SuiteParams.Kind.GCM;
    }

    SuiteParams params() {
        return params;
    }

    /** The suite with this SDES name (case-sensitive, as RFC 4568 registers them). */
    public static Optional<CryptoSuite> fromSdesName(String name) {
        for (CryptoSuite s : values()) {
            if (s.sdesName.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
