package org.sipshield.proxy.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sipshield.config.Destination;
import org.sipshield.config.PhoneSecurityProfile;
import org.sipshield.config.Phone;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.config.SipTrunk;
import org.sipshield.config.SipTrunkSecurityProfile;
import org.sipshield.config.Transport;
import org.sipshield.config.VoicemailPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration turned into the look-ups the request pipeline needs: which trunk owns a
 * (port, transport, source address), which device owns a directory number. Immutable; a reload
 * builds a new one.
 */
public final class SecurityModel {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityModel.class);

    private final SipShieldConfig config;
    private final List<TrunkAddress> trunkAddresses = new ArrayList<>();
    private final Map<String, DeviceIdentity> deviceByNumber = new HashMap<>();
    private final Map<String, DeviceIdentity> deviceByName = new HashMap<>();

    /** One address a trunk sends from, resolved when the configuration was loaded. */
    private record TrunkAddress(InetAddress address, SipTrunk trunk, SipTrunkSecurityProfile profile) {}

    public SecurityModel(SipShieldConfig config) {
        this.config = config;
        for (SipTrunk trunk : config.sipTrunks()) {
            SipTrunkSecurityProfile profile = config.trunkProfile(trunk.securityProfile()).orElseThrow();
            for (Destination destination : trunk.destinations()) {
                try {
                    for (InetAddress address : InetAddress.getAllByName(destination.host())) {
                        trunkAddresses.add(new TrunkAddress(address, trunk, profile));
                    }
                } catch (UnknownHostException e) {
                    LOG.warn("trunk {}: destination {} does not resolve; requests from it will not be recognised",
                            trunk.name(), destination);
                }
            }
        }
        for (Phone phone : config.phones()) {
            add(new DeviceIdentity(DeviceIdentity.Kind.PHONE, phone.deviceName(), phone.lines(), phone.securityProfile(),
                    phone.digestUser()));
        }
        for (VoicemailPort port : config.voicemailPorts()) {
            add(new DeviceIdentity(DeviceIdentity.Kind.VOICEMAIL_PORT, port.deviceName(), List.of(port.directoryNumber()),
                    port.securityProfile(), port.digestUser()));
        }
    }

    private void add(DeviceIdentity device) {
        deviceByName.put(device.deviceName(), device);
        for (String number : device.directoryNumbers()) {
            deviceByNumber.put(number, device);
        }
    }

    public SipShieldConfig config() {
        return config;
    }

    /**
     * The trunks that could be speaking on this local port and transport from this address.
     * TLS trunks are not told apart by address (their certificate names do that), so every TLS
     * trunk on the port is a candidate.
     */
    public List<Peer.Trunk> trunkCandidates(int localPort, Transport transport, InetAddress source) {
        List<Peer.Trunk> candidates = new ArrayList<>();
        for (SipTrunk trunk : config.sipTrunks()) {
            SipTrunkSecurityProfile profile = config.trunkProfile(trunk.securityProfile()).orElseThrow();
            if (profile.incomingPort() != localPort || !profile.incomingTransportType().admits(transport)) {
                continue;
            }
            boolean fromTrunkAddress = trunkAddresses.stream()
                    .anyMatch(a -> a.trunk() == trunk && a.address().equals(source));
            if (transport == Transport.TLS || fromTrunkAddress) {
                candidates.add(new Peer.Trunk(trunk, profile));
            }
        }
        return candidates;
    }

    public Optional<DeviceIdentity> deviceByNumber(String directoryNumber) {
        return Optional.ofNullable(deviceByNumber.get(directoryNumber));
    }

    public Optional<DeviceIdentity> deviceByName(String deviceName) {
        return Optional.ofNullable(deviceByName.get(deviceName));
    }

    public PhoneSecurityProfile profileOf(DeviceIdentity device) {
        return config.phoneProfile(device.securityProfile()).orElseThrow();
    }
}
