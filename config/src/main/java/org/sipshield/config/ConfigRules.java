package org.sipshield.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.sipshield.tls.CertificateFingerprint;

/**
 * The rules that span several entries of a file: unique names, references that resolve, ports
 * and certificate names that clash, credentials that a profile needs. Each problem is reported
 * at the entry that breaks the rule.
 */
final class ConfigRules {
    private final Map<Object, YamlMapping> where;
    private final List<String> warnings;

    ConfigRules(Map<Object, YamlMapping> where, List<String> warnings) {
        this.where = where;
        this.warnings = warnings;
    }

    static Map<Object, YamlMapping> newIndex() {
        return new IdentityHashMap<>();
    }

    void check(SipShieldConfig c) {
        unique(c.sipTrunkSecurityProfiles(), SipTrunkSecurityProfile::name, "name", "SIP trunk security profile");
        unique(c.phoneSecurityProfiles(), PhoneSecurityProfile::name, "name", "phone security profile");
        unique(c.sipTrunks(), SipTrunk::name, "name", "SIP trunk");
        unique(c.applicationUsers(), ApplicationUser::userId, "userId", "application user");
        unique(c.endUsers(), EndUser::userId, "userId", "end user");
        Set<String> deviceNames = new HashSet<>();
        for (Phone phone : c.phones()) {
            if (!deviceNames.add(phone.deviceName())) {
                problem(phone, "deviceName", "device name '" + phone.deviceName() + "' is used twice", "unique device names");
            }
        }
        for (VoicemailPort port : c.voicemailPorts()) {
            if (!deviceNames.add(port.deviceName())) {
                problem(port, "deviceName", "device name '" + port.deviceName() + "' is used twice", "unique device names");
            }
        }
        trunks(c);
        devices(c);
        authenticatedModeAvailable(c);
        for (RoutePattern route : c.routePatterns()) {
            if (c.trunk(route.trunk()).isEmpty()) {
                problem(route, "trunk", "no SIP trunk is named '" + route.trunk() + "'", names(c.sipTrunks(), SipTrunk::name));
            }
        }
        Set<String> realmAndTrunk = new HashSet<>();
        for (SipRealm realm : c.sipRealms()) {
            if (realm.trunk() != null && c.trunk(realm.trunk()).isEmpty()) {
                problem(realm, "trunk", "no SIP trunk is named '" + realm.trunk() + "'", names(c.sipTrunks(), SipTrunk::name));
            }
            if (!realmAndTrunk.add(realm.realm() + "\n" + realm.trunk())) {
                problem(realm, "realm", "a second set of credentials for realm '" + realm.realm() + "' on trunk '"
                        + realm.trunk() + "'", "one set per realm per trunk");
            }
        }
    }

    private void trunks(SipShieldConfig c) {
        Map<Integer, Boolean> tlsByPort = new HashMap<>();
        Map<String, SipTrunk> subjectOnPort = new HashMap<>();
        for (SipTrunk trunk : c.sipTrunks()) {
            SipTrunkSecurityProfile profile = c.trunkProfile(trunk.securityProfile()).orElse(null);
            if (profile == null) {
                problem(trunk, "securityProfile", "no SIP trunk security profile is named '" + trunk.securityProfile()
                        + "' (a profile in use cannot be removed)", names(c.sipTrunkSecurityProfiles(), SipTrunkSecurityProfile::name));
                continue;
            }
            Boolean tlsOnPort = tlsByPort.putIfAbsent(profile.incomingPort(), profile.isTls());
            if (tlsOnPort != null && tlsOnPort != profile.isTls()) {
                problem(trunk, "securityProfile", "TLS and non-TLS trunks cannot share incoming port " + profile.incomingPort(),
                        "a different incomingPort in profile '" + profile.name() + "'");
            }
            if (!hasListener(c, profile)) {
                problem(trunk, "securityProfile", "profile '" + profile.name() + "' receives on " + profile.incomingTransportType().label()
                        + " port " + profile.incomingPort() + " but no listener serves it",
                        "a listeners entry with that port and transport");
            }
            for (String subject : profile.secureCertificateSubjectOrSubjectAlternateName()) {
                SipTrunk earlier = subjectOnPort.putIfAbsent(profile.incomingPort() + "\n" + subject.toLowerCase(java.util.Locale.ROOT), trunk);
                if (earlier != null && earlier != trunk) {
                    problem(trunk, "securityProfile", "certificate name '" + subject + "' on port " + profile.incomingPort()
                            + " is already the name of trunk '" + earlier.name() + "'", "one trunk per subject name and incoming port");
                }
            }
            if (trunk.srtpAllowed() && profile.deviceSecurityMode() != DeviceSecurityMode.ENCRYPTED) {
                warnings.add(path(trunk, "srtpAllowed") + ": SRTP is allowed on trunk '" + trunk.name() + "' but its profile '"
                        + profile.name() + "' is " + profile.deviceSecurityMode().label()
                        + ": SRTP keys will cross the network in clear text in the SDP");
            }
        }
    }

    /** The reference revokes NULL-SHA when a sip-tls or all-tls string is set: AUTHENTICATED devices cannot connect then. */
    private void authenticatedModeAvailable(SipShieldConfig c) {
        if (c.tls().policy().authenticatedModeAvailable()) {
            return;
        }
        for (SipTrunkSecurityProfile profile : c.sipTrunkSecurityProfiles()) {
            if (profile.deviceSecurityMode() == DeviceSecurityMode.AUTHENTICATED) {
                warnings.add(path(profile, "deviceSecurityMode") + ": profile '" + profile.name()
                        + "' is Authenticated but a sipTls/allTls cipher string revokes the NULL-SHA ciphers: its trunks cannot connect");
            }
        }
        for (PhoneSecurityProfile profile : c.phoneSecurityProfiles()) {
            if (profile.deviceSecurityMode() == DeviceSecurityMode.AUTHENTICATED) {
                warnings.add(path(profile, "deviceSecurityMode") + ": profile '" + profile.name()
                        + "' is Authenticated but a sipTls/allTls cipher string revokes the NULL-SHA ciphers: its phones cannot connect");
            }
        }
    }

    private static boolean hasListener(SipShieldConfig c, SipTrunkSecurityProfile profile) {
        return c.listeners().stream().anyMatch(l -> l.port() == profile.incomingPort()
                && profile.incomingTransportType().admits(l.transport()));
    }

    private void devices(SipShieldConfig c) {
        pinnedCertificates(c);
        Map<String, Object> numbers = new HashMap<>();
        // A site has as many end users as phones: a look-up per device by name, not a scan (100,000 squared).
        Set<String> endUsers = new HashSet<>();
        c.endUsers().forEach(user -> endUsers.add(user.userId()));
        for (Phone phone : c.phones()) {
            PhoneSecurityProfile profile = phoneProfile(c, phone, phone.securityProfile());
            digestUser(c, endUsers, phone, profile, phone.digestUser());
            for (String line : phone.lines()) {
                if (numbers.putIfAbsent(line, phone) != null) {
                    problem(phone, "lines", "directory number " + line + " is already another device's", "unique directory numbers");
                }
            }
        }
        Map<String, DeviceSecurityMode> modeOfServer = new HashMap<>();
        for (VoicemailPort port : c.voicemailPorts()) {
            PhoneSecurityProfile profile = phoneProfile(c, port, port.securityProfile());
            digestUser(c, endUsers, port, profile, port.digestUser());
            if (profile != null && port.deviceSecurityMode() != null && port.deviceSecurityMode() != profile.deviceSecurityMode()) {
                problem(port, "deviceSecurityMode", port.deviceSecurityMode().label() + " differs from profile '"
                        + profile.name() + "' (" + profile.deviceSecurityMode().label() + ")", profile.deviceSecurityMode().label());
            }
            if (port.deviceSecurityMode() != null && port.voicemailServer() != null) {
                DeviceSecurityMode shared = modeOfServer.putIfAbsent(port.voicemailServer(), port.deviceSecurityMode());
                if (shared != null && shared != port.deviceSecurityMode()) {
                    problem(port, "deviceSecurityMode", "ports of voicemail server '" + port.voicemailServer()
                            + "' must share one mode, others are " + shared.label(), shared.label());
                }
            }
            if (port.directoryNumber() != null && numbers.putIfAbsent(port.directoryNumber(), port) != null) {
                problem(port, "directoryNumber", "directory number " + port.directoryNumber() + " is already another device's",
                        "unique directory numbers");
            }
        }
    }

    private record Pin(Object device, String deviceName, String profile, CertificateFingerprint fingerprint) {}

    /**
     * A pinned certificate stands for one device: pinned twice, it would let one device speak as the
     * other. A pin on a device whose profile is Non Secure is never asked for: said, not refused.
     */
    private void pinnedCertificates(SipShieldConfig c) {
        List<Pin> pins = new ArrayList<>();
        c.phones().forEach(p -> pins.add(new Pin(p, p.deviceName(), p.securityProfile(), p.certificateFingerprint())));
        c.voicemailPorts().forEach(p -> pins.add(new Pin(p, p.deviceName(), p.securityProfile(), p.certificateFingerprint())));
        Map<CertificateFingerprint, String> pinnedBy = new HashMap<>();
        for (Pin pin : pins) {
            if (pin.fingerprint() == null) {
                continue;
            }
            String earlier = pinnedBy.putIfAbsent(pin.fingerprint(), pin.deviceName());
            if (earlier != null) {
                problem(pin.device(), "certificateFingerprint", "the certificate is already pinned by device '" + earlier + "'",
                        "one device per certificate");
            }
            PhoneSecurityProfile profile = pin.profile() == null ? null : c.phoneProfile(pin.profile()).orElse(null);
            if (profile != null && !profile.deviceSecurityMode().isSecure()) {
                warnings.add(path(pin.device(), "certificateFingerprint") + ": device '" + pin.deviceName() + "' has profile '"
                        + profile.name() + "', which is Non Secure: its certificate is never asked for");
            }
        }
    }

    private PhoneSecurityProfile phoneProfile(SipShieldConfig c, Object device, String name) {
        if (name == null) {
            return null;
        }
        PhoneSecurityProfile profile = c.phoneProfile(name).orElse(null);
        if (profile == null) {
            problem(device, "securityProfile", "no phone security profile is named '" + name + "' (a profile in use cannot be removed)",
                    names(c.phoneSecurityProfiles(), PhoneSecurityProfile::name));
        }
        return profile;
    }

    private void digestUser(SipShieldConfig c, Set<String> endUsers, Object device, PhoneSecurityProfile profile,
            String digestUser) {
        if (digestUser == null) {
            if (profile != null && profile.enableDigestAuthentication()) {
                problem(device, "digestUser", "profile '" + profile.name() + "' enables digest authentication, so the device needs a digest user",
                        "the userId of an endUsers entry");
            }
            return;
        }
        if (!endUsers.contains(digestUser)) {
            problem(device, "digestUser", "no end user is named '" + digestUser + "'", names(c.endUsers(), EndUser::userId));
        }
    }

    private <T> void unique(List<T> entries, Function<T, String> name, String key, String what) {
        Set<String> seen = new HashSet<>();
        for (T entry : entries) {
            String value = name.apply(entry);
            if (value != null && !seen.add(value)) {
                problem(entry, key, "a second " + what + " is named '" + value + "'", "unique names");
            }
        }
    }

    /** The allowed names for a problem line: at most 20, so a typo among 100,000 users stays one readable line. */
    private static <T> String names(List<T> entries, Function<T, String> name) {
        if (entries.isEmpty()) {
            return "none defined";
        }
        String shown = String.join(", ", entries.stream().limit(20).map(name).toList());
        return entries.size() > 20 ? shown + " and " + (entries.size() - 20) + " more" : shown;
    }

    private void problem(Object entry, String key, String problem, String allowed) {
        YamlMapping mapping = where.get(entry);
        if (mapping != null) {
            mapping.problem(key, problem, allowed);
        }
    }

    private String path(Object entry, String key) {
        YamlMapping mapping = where.get(entry);
        return mapping == null ? key : mapping.child(key);
    }
}
