package org.sipshield.srtp;

import org.sipshield.jni.SrtpNative;

/** The outcome of one packet operation. Every engine answers with these; sessions count them. */
public enum SrtpStatus {
    OK(SrtpNative.STATUS_OK),
    /** The tag did not verify: forged, corrupted, or keyed differently. */
    AUTH_FAILED(SrtpNative.STATUS_AUTH_FAILED),
    /** The packet index was already accepted, or is older than the replay window. */
    REPLAYED(SrtpNative.STATUS_REPLAYED),
    /** Not a parseable RTP/RTCP packet. */
    BAD_PACKET(SrtpNative.STATUS_BAD_PACKET),
    /** Not enough room after the packet (buffer capacity) for what protection appends. */
    BUFFER_TOO_SMALL(SrtpNative.STATUS_BUFFER_TOO_SMALL),
    /** The packet's MKI is not this session's. */
    BAD_MKI(SrtpNative.STATUS_BAD_MKI),
    /** More SSRCs than one session tracks. */
    TOO_MANY_STREAMS(SrtpNative.STATUS_TOO_MANY_STREAMS),
    /** The key has protected all the packets it may; re-key. */
    INDEX_EXHAUSTED(SrtpNative.STATUS_INDEX_EXHAUSTED),
    /** Caller error: wrong direction for this session, bad offsets. */
    BAD_ARGUMENT(SrtpNative.STATUS_BAD_ARGUMENT),
    /** The engine cannot do this. */
    UNSUPPORTED(SrtpNative.STATUS_UNSUPPORTED),
    /** The crypto library failed unexpectedly. */
    INTERNAL_ERROR(SrtpNative.STATUS_INTERNAL_ERROR),
    /** The session was closed. */
    SESSION_CLOSED(11);

    private static final SrtpStatus[] BY_CODE = values();

    private final int code;

    SrtpStatus(int code) {
        this.code = code;
    }

    /** The native status code. */
    public int code() {
        return code;
    }

    public boolean isOk() {
        return this == OK;
    }

    static SrtpStatus ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : INTERNAL_ERROR;
    }
}
