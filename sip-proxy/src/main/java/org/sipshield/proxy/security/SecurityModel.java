package org.sipshield.proxy.security;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.sipshield.config.ApplicationUser;
import org.sipshield.config.Destination;
import org.sipshield.config.PhoneSecurityProfile;
import org.sipshield.config.Phone;
import org.sipshield.config.SipRealm;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.config.SipTrunk;
import org.sipshield.config.SipTrunkSecurityProfile;
import org.sipshield.config.Transport;
import org.sipshield.config.TransportType;
import org.sipshield.config.VoicemailPort;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.digest.SipRealmCredentials;
import org.sipshield.tls.AllowedPeerNames;
import org.sipshield.tls.CertificateFingerprint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration turned into the look-ups the request path needs, all built when the
 * configuration is loaded or reloaded: which trunk owns a (port, transport, source address),
 * which device owns a directory number, the digest authenticators, the TLS names a trunk must
 * present, the SIP Realm credentials we answer trunk challenges with, the addresses of trunk
 * destinations (resolved here, so no DNS query ever runs on the signalling path), the certificates
 * devices pin (fingerprints parsed when the file was read). Immutable; the
 * request path only looks things up, and a reload builds a new model.
 */
public final class SecurityModel {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityModel.class);

    private final SipShieldConfig config;
    private final Map<String, SipTrunkSecurityProfile> trunkProfiles;
    private final Map<String, PhoneSecurityProfile> phoneProfiles;
    private final Map<String, ApplicationUser> applicationUsers;
    private final Map<String, SipTrunk> trunks;
    private final List<TrunkEntry> trunkEntries = new ArrayList<>();
    private final Map<String, List<Destination>> resolvedDestinations = new HashMap<>();
    private final Map<InetSocketAddress, AllowedPeerNames> tlsNamesByDestination = new HashMap<>();
    private final Map<String, SipRealmCredentials> sipRealmCredentials = new HashMap<>();
    private final Map<String, DeviceIdentity> deviceByNumber = new HashMap<>();
    private final Map<String, DeviceIdentity> deviceByName = new HashMap<>();
    private final Set<CertificateFingerprint> pinnedCertificates = new HashSet<>();
    /** The trunks' trustedAddresses: literals only (the config refuses names), so no DNS query here. */
    private final Set<InetAddress> trustedSources = new HashSet<>();
    private final DigestRealms digest;

    /**
     * One trunk as classification sees it: its profile, the addresses it sends from, the TLS
     * names it may present. peer is the one Peer.Trunk every request of this trunk is given.
     */
    private record TrunkEntry(Peer.Trunk peer, Set<InetAddress> addresses, Optional<AllowedPeerNames> allowedNames) {}

    public SecurityModel(SipShieldConfig config, DigestContext digestContext) {
        this.config = config;
        this.trunkProfiles = index(config.sipTrunkSecurityProfiles(), SipTrunkSecurityProfile::name);
        this.phoneProfiles = index(config.phoneSecurityProfiles(), PhoneSecurityProfile::name);
        this.applicationUsers = index(config.applicationUsers(), ApplicationUser::userId);
        this.trunks = index(config.sipTrunks(), SipTrunk::name);
        for (SipTrunk trunk : config.sipTrunks()) {
            SipTrunkSecurityProfile profile = trunkProfiles.get(trunk.securityProfile());
            Set<InetAddress> addresses = new HashSet<>();
            List<Destination> resolved = new ArrayList<>();
            Optional<AllowedPeerNames> names = profile.secureCertificateSubjectOrSubjectAlternateName().isEmpty()
                    ? Optional.empty()
                    : Optional.of(AllowedPeerNames.parse(String.join(" ", profile.secureCertificateSubjectOrSubjectAlternateName())));
            for (Destination destination : trunk.destinations()) {
                try {
                    InetAddress[] all = InetAddress.getAllByName(destination.host());
                    addresses.addAll(List.of(all));
                    resolved.add(new Destination(all[0].getHostAddress(), destination.port()));
                    if (profile.outgoingTransportType() == TransportType.TLS && names.isPresent()) {
                        for (InetAddress address : all) {
                            tlsNamesByDestination.putIfAbsent(new InetSocketAddress(address, destination.port()), names.get());
                        }
                    }
                } catch (UnknownHostException e) {
                    LOG.warn("trunk {}: destination {} does not resolve; it is neither called nor recognised until "
                            + "the configuration is reloaded", trunk.name(), destination);
                }
            }
            trunkEntries.add(new TrunkEntry(new Peer.Trunk(trunk, profile), Set.copyOf(addresses), names));
            for (String trusted : trunk.limits().trustedAddresses()) {
                try {
                    trustedSources.add(InetAddress.getByName(trusted));
                } catch (UnknownHostException e) {
                    LOG.warn("trunk {}: trusted address {} is not an address", trunk.name(), trusted);
                }
            }
            resolvedDestinations.put(trunk.name(), List.copyOf(resolved));
        }
        for (SipRealm realm : config.sipRealms()) {
            List<DigestChecksum> checksums = realm.digestCredentials().checksums();
            sipRealmCredentials.putIfAbsent(realm.trunk() + '\n' + realm.realm(),
                    SipRealmCredentials.fromChecksums(realm.realm(), realm.user(), checksums));
        }
        for (Phone phone : config.phones()) {
            add(new DeviceIdentity(DeviceIdentity.Kind.PHONE, phone.deviceName(), phone.lines(), phone.securityProfile(),
                    phone.digestUser(), phone.certificateFingerprint()));
        }
        for (VoicemailPort port : config.voicemailPorts()) {
            add(new DeviceIdentity(DeviceIdentity.Kind.VOICEMAIL_PORT, port.deviceName(), List.of(port.directoryNumber()),
                    port.securityProfile(), port.digestUser(), port.certificateFingerprint()));
        }
        this.digest = new DigestRealms(config, digestContext);
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> name) {
        Map<String, T> map = new HashMap<>();
        for (T item : items) {
            map.putIfAbsent(name.apply(item), item); // names are unique in a validated configuration
        }
        return Map.copyOf(map);
    }

    private void add(DeviceIdentity device) {
        deviceByName.put(device.deviceName(), device);
        if (device.certificateFingerprint() != null) {
            pinnedCertificates.add(device.certificateFingerprint());
        }
        for (String number : device.directoryNumbers()) {
            deviceByNumber.put(number, device);
        }
    }

    public SipShieldConfig config() {
        return config;
    }

    /** A source address some trunk lists in trustedAddresses: the per-source flood limiter never throttles it. */
    public boolean isTrustedSource(InetAddress source) {
        return trustedSources.contains(source);
    }

    /**
     * The trunks that could be speaking on this local port and transport from this address.
     * TLS trunks are not told apart by address (their certificate names do that), so every TLS
     * trunk on the port is a candidate.
     */
    public List<Peer.Trunk> trunkCandidates(int localPort, Transport transport, InetAddress source) {
        List<Peer.Trunk> candidates = new ArrayList<>(1);
        for (TrunkEntry entry : trunkEntries) {
            SipTrunkSecurityProfile profile = entry.peer().profile();
            if (profile.incomingPort() != localPort || !profile.incomingTransportType().admits(transport)) {
                continue;
            }
            if (transport == Transport.TLS || entry.addresses().contains(source)) {
                candidates.add(entry.peer());
            }
        }
        return candidates;
    }

    /** The certificate names a TLS trunk may present (its profile's subject / SAN setting); empty: none. */
    public Optional<AllowedPeerNames> allowedPeerNames(SipTrunk trunk) {
        for (TrunkEntry entry : trunkEntries) {
            if (entry.peer().trunk() == trunk) {
                return entry.allowedNames();
            }
        }
        return Optional.empty();
    }

    /** The certificate names the server of a TLS trunk destination at this address must present. */
    public Optional<AllowedPeerNames> namesOfTrunkAt(InetSocketAddress destination) {
        return Optional.ofNullable(tlsNamesByDestination.get(destination));
    }

    /** A trunk's destinations in order, each host an address resolved when the configuration was loaded. */
    public List<Destination> destinations(SipTrunk trunk) {
        return resolvedDestinations.getOrDefault(trunk.name(), List.of());
    }

    /** What we answer a challenge of this trunk in this realm with (the SIP Realm settings). */
    public Optional<SipRealmCredentials> sipRealmCredentials(String trunkName, String realm) {
        return Optional.ofNullable(sipRealmCredentials.get(trunkName + '\n' + realm));
    }

    /**
     * Whether a device pins this certificate: the SIP TLS handshake lets such a certificate in
     * without the trust store (it then stands only for the device that pins it).
     */
    public boolean pinsCertificate(X509Certificate certificate) {
        return !pinnedCertificates.isEmpty() && pinnedCertificates.contains(CertificateFingerprint.of(certificate));
    }

    public Optional<DeviceIdentity> deviceByNumber(String directoryNumber) {
        return Optional.ofNullable(deviceByNumber.get(directoryNumber));
    }

    public Optional<DeviceIdentity> deviceByName(String deviceName) {
        return Optional.ofNullable(deviceByName.get(deviceName));
    }

    public PhoneSecurityProfile profileOf(DeviceIdentity device) {
        return phoneProfiles.get(device.securityProfile());
    }

    public Optional<SipTrunk> trunk(String name) {
        return Optional.ofNullable(trunks.get(name));
    }

    public SipTrunkSecurityProfile profileOf(SipTrunk trunk) {
        return trunkProfiles.get(trunk.securityProfile());
    }

    public Optional<ApplicationUser> applicationUser(String userId) {
        return Optional.ofNullable(applicationUsers.get(userId));
    }

    /** The digest authenticators of this configuration's profiles. */
    public DigestRealms digest() {
        return digest;
    }
}
