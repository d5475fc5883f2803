package org.sipshield.proxy.security;

import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.PhoneSecurityProfile;
import org.sipshield.config.SipTrunk;
import org.sipshield.config.SipTrunkSecurityProfile;

/** Who is speaking to us: the classification step's answer. */
public sealed interface Peer {
    /** How the peer's requests are named in logs: "trunk carrier", "phone SEP00..." */
    String describe();

    DeviceSecurityMode deviceSecurityMode();

    /** A configured SIP trunk, recognised by its address (TCP/UDP) or certificate names (TLS). */
    record Trunk(SipTrunk trunk, SipTrunkSecurityProfile profile) implements Peer {
        @Override
        public String describe() {
            return "trunk " + trunk.name();
        }

        @Override
        public DeviceSecurityMode deviceSecurityMode() {
            return profile.deviceSecurityMode();
        }
    }

    /** A phone or voicemail port, recognised by its directory number and profile. */
    record Device(DeviceIdentity device, PhoneSecurityProfile profile) implements Peer {
        @Override
        public String describe() {
            return device.kind().label() + " " + device.deviceName();
        }

        @Override
        public DeviceSecurityMode deviceSecurityMode() {
            return profile.deviceSecurityMode();
        }
    }

    /** Nobody we know. */
    record Unknown() implements Peer {
        @Override
        public String describe() {
            return "unknown source";
        }

        @Override
        public DeviceSecurityMode deviceSecurityMode() {
            return DeviceSecurityMode.NON_SECURE;
        }
    }
}
