package org.sipshield.proxy.pipeline;

import java.util.List;
import java.util.Optional;
import org.sipshield.config.PhoneSecurityProfile;
import org.sipshield.proxy.security.DeviceIdentity;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;

/**
 * What a request from a directory number that is no device here is classified as (a REGISTER
 * for a number nobody has; under unknownSource REJECT_403 any request): a phone of the first
 * digest-protected phone profile whose digest user nobody can be. Digest authentication then
 * challenges it exactly as it challenges a real phone (same realm, algorithms, status) and
 * can never let it through, so an extension scanner (svwar) learns nothing from the answer;
 * its failed attempts count towards the brute-force guard like any other.
 */
final class NumberDecoy {
    /** Not a valid digest user name in the configuration: no credentials can match it. */
    private static final String NOBODY = "\u0000no-such-device";

    private NumberDecoy() {}

    /** The device {@link #of} makes: nobody's. */
    static boolean is(Peer.Device device) {
        return NOBODY.equals(device.device().digestUser());
    }

    static Optional<Peer> of(SecurityModel model) {
        return model.config().phoneSecurityProfiles().stream().filter(PhoneSecurityProfile::enableDigestAuthentication)
                .findFirst().map(profile -> new Peer.Device(new DeviceIdentity(DeviceIdentity.Kind.PHONE, "(unknown)",
                        List.of(), profile.name(), NOBODY, null), profile));
    }
}
