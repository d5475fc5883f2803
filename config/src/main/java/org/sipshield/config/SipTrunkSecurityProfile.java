package org.sipshield.config;

import java.util.List;

/**
 * The reference's SIP Trunk Security Profile, every setting of its table. A change applies to
 * every trunk that uses the profile, since trunks refer to it by name.
 */
public record SipTrunkSecurityProfile(
        String name,
        String description,
        DeviceSecurityMode deviceSecurityMode,
        TransportType incomingTransportType,
        TransportType outgoingTransportType,
        boolean enableDigestAuthentication,
        int nonceValidityTime,
        List<String> secureCertificateSubjectOrSubjectAlternateName,
        int incomingPort,
        boolean enableApplicationLevelAuthorization,
        boolean acceptPresenceSubscription,
        boolean acceptOutOfDialogRefer,
        boolean acceptUnsolicitedNotification,
        boolean acceptReplacesHeader,
        boolean transmitSecurityStatus,
        DigestOptions digestOptions) implements MethodAcl {

    public SipTrunkSecurityProfile {
        secureCertificateSubjectOrSubjectAlternateName = List.copyOf(secureCertificateSubjectOrSubjectAlternateName);
    }

    public boolean isTls() {
        return incomingTransportType == TransportType.TLS;
    }
}
