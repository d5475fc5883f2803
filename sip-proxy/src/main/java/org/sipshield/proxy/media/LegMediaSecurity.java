package org.sipshield.proxy.media;

import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.proxy.security.Peer;

/** What a call leg's peer is allowed and required to do for media, from its trunk or phone profile. */
enum LegMediaSecurity {
    /** A phone whose profile is Encrypted: SRTP or the call is refused (488). */
    SRTP_REQUIRED,
    /** A trunk with SRTP Allowed: SRTP when the peer takes it, RTP otherwise. */
    SRTP_ALLOWED,
    /** Anyone else: keys are never put in this leg's SDP. */
    RTP_ONLY;

    boolean offersSrtp() {
        return this != RTP_ONLY;
    }

    static LegMediaSecurity of(Peer peer) {
        if (peer instanceof Peer.Trunk trunk) {
            return trunk.trunk().srtpAllowed() ? SRTP_ALLOWED : RTP_ONLY;
        }
        if (peer instanceof Peer.Device device) {
            return device.profile().deviceSecurityMode() == DeviceSecurityMode.ENCRYPTED ? SRTP_REQUIRED : RTP_ONLY;
        }
        return RTP_ONLY;
    }
}
