package org.sipshield.srtp;

/** What an engine needs to know about a transform; lengths in octets. */
record SuiteParams(Kind kind, int keyLength, int saltLength, int srtpTagLength, int srtcpTagLength, int nativeId) {
    enum Kind { GCM, CM, F8 }

    /** HMAC-SHA1 session authentication key length (RFC 3711 n_a = 160 bits). */
    static final int HMAC_KEY_LENGTH = 20;

    /** RFC 6188 AES-192-CM: only for its test vectors, never negotiated. */
    static final SuiteParams AES_192_CM_HMAC_SHA1_80 = new SuiteParams(Kind.CM, 24, 14, 10, 10, 7);
}
