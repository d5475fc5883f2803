package org.sipshield.config;

import java.util.List;
import java.util.Optional;

/**
 * The whole, validated configuration of one sipshield instance. Immutable: a reload builds a
 * new one and swaps it in whole, or keeps the old one.
 *
 * @param warnings settings that are allowed but weaken security, printed by check-config and at start
 */
public record SipShieldConfig(
        ServerSettings server,
        DatabaseSettings database,
        RedisSettings redis,
        ClusterSettings cluster,
        List<Listener> listeners,
        EnterpriseParameters enterpriseParameters,
        SecuritySettings security,
        RegistrarSettings registrar,
        TlsSettings tls,
        MediaSettings media,
        SessionTimerSettings sessionTimers,
        ManagementSettings management,
        List<SipTrunkSecurityProfile> sipTrunkSecurityProfiles,
        List<PhoneSecurityProfile> phoneSecurityProfiles,
        List<SipTrunk> sipTrunks,
        List<RoutePattern> routePatterns,
        List<ApplicationUser> applicationUsers,
        List<EndUser> endUsers,
        List<Phone> phones,
        List<VoicemailPort> voicemailPorts,
        List<SipRealm> sipRealms,
        List<String> warnings) {

    public SipShieldConfig {
        listeners = List.copyOf(listeners);
        sipTrunkSecurityProfiles = List.copyOf(sipTrunkSecurityProfiles);
        phoneSecurityProfiles = List.copyOf(phoneSecurityProfiles);
        sipTrunks = List.copyOf(sipTrunks);
        routePatterns = List.copyOf(routePatterns);
        applicationUsers = List.copyOf(applicationUsers);
        endUsers = List.copyOf(endUsers);
        phones = List.copyOf(phones);
        voicemailPorts = List.copyOf(voicemailPorts);
        sipRealms = List.copyOf(sipRealms);
        warnings = List.copyOf(warnings);
    }

    public Optional<SipTrunkSecurityProfile> trunkProfile(String name) {
        return sipTrunkSecurityProfiles.stream().filter(p -> name != null && name.equals(p.name())).findFirst();
    }

    public Optional<PhoneSecurityProfile> phoneProfile(String name) {
        return phoneSecurityProfiles.stream().filter(p -> name != null && name.equals(p.name())).findFirst();
    }

    public Optional<SipTrunk> trunk(String name) {
        return sipTrunks.stream().filter(t -> name != null && name.equals(t.name())).findFirst();
    }

    public Optional<EndUser> endUser(String userId) {
        return endUsers.stream().filter(u -> userId != null && userId.equals(u.userId())).findFirst();
    }

    public Optional<ApplicationUser> applicationUser(String userId) {
        return applicationUsers.stream().filter(u -> userId != null && userId.equals(u.userId())).findFirst();
    }
}
