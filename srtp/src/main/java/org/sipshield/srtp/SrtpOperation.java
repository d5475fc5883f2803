package org.sipshield.srtp;

import org.sipshield.jni.SrtpNative;

/** What to do with a batch of packets. */
public enum SrtpOperation {
    PROTECT_RTP(SrtpNative.OP_PROTECT_RTP, SrtpDirection.OUTBOUND),
    UNPROTECT_RTP(SrtpNative.OP_UNPROTECT_RTP, SrtpDirection.INBOUND),
    PROTECT_RTCP(SrtpNative.OP_PROTECT_RTCP, SrtpDirection.OUTBOUND),
    UNPROTECT_RTCP(SrtpNative.OP_UNPROTECT_RTCP, SrtpDirection.INBOUND);

    private final int code;
    private final SrtpDirection direction;

    SrtpOperation(int code, SrtpDirection direction) {
        this.code = code;
        this.direction = direction;
    }

    int code() {
        return code;
    }

    /** The direction of the sessions that may do this. */
    public SrtpDirection direction() {
        return direction;
    }
}
