package org.sipshield.proxy.security;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sipshield.config.DigestCredentials;
import org.sipshield.config.DigestOptions;
import org.sipshield.config.PhoneSecurityProfile;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.config.SipTrunkSecurityProfile;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestAuthenticator;
import org.sipshield.digest.DigestPolicy;
import org.sipshield.digest.DigestUserDirectory;
import org.sipshield.digest.InMemoryDigestUserDirectory;
import org.sipshield.digest.NonceBinding;

/**
 * The digest side of one configuration, built when it is loaded: one authenticator per security
 * profile that enables digest (trunk profiles in the Cluster ID realm over the application users,
 * phone profiles in the SIP Station Realm over the end users), and the users' HA1s parsed once.
 * The request path only looks an authenticator up; whose digest user a device must be is checked
 * by the caller, so the number of authenticators never grows with the number of devices.
 */
public final class DigestRealms {
    private final Map<String, DigestAuthenticator> byTrunkProfile = new HashMap<>();
    private final Map<String, DigestAuthenticator> byPhoneProfile = new HashMap<>();

    DigestRealms(SipShieldConfig config, DigestContext context) {
        DigestUserDirectory applicationUsers = directory(config.applicationUsers().stream()
                .map(u -> Map.entry(u.userId(), Optional.ofNullable(u.digestCredentials()))).toList());
        DigestUserDirectory endUsers = directory(config.endUsers().stream()
                .map(u -> Map.entry(u.userId(), Optional.ofNullable(u.digestCredentials()))).toList());
        String clusterRealm = config.enterpriseParameters().clusterId();
        String stationRealm = config.enterpriseParameters().sipStationRealm();
        for (SipTrunkSecurityProfile profile : config.sipTrunkSecurityProfiles()) {
            if (profile.enableDigestAuthentication()) {
                byTrunkProfile.put(profile.name(), authenticator(clusterRealm, profile.nonceValidityTime(),
                        profile.digestOptions(), applicationUsers, context));
            }
        }
        for (PhoneSecurityProfile profile : config.phoneSecurityProfiles()) {
            if (profile.enableDigestAuthentication()) {
                byPhoneProfile.put(profile.name(), authenticator(stationRealm, profile.nonceValidityTime(),
                        profile.digestOptions(), endUsers, context));
            }
        }
    }

    /** The authenticator of a trunk profile; empty when the profile does not enable digest. */
    public Optional<DigestAuthenticator> forTrunkProfile(SipTrunkSecurityProfile profile) {
        return Optional.ofNullable(byTrunkProfile.get(profile.name()));
    }

    /** The authenticator of a phone security profile; empty when the profile does not enable digest. */
    public Optional<DigestAuthenticator> forPhoneProfile(PhoneSecurityProfile profile) {
        return Optional.ofNullable(byPhoneProfile.get(profile.name()));
    }

    private static DigestAuthenticator authenticator(String realm, int nonceValiditySeconds, DigestOptions options,
            DigestUserDirectory users, DigestContext context) {
        List<NonceBinding> bindings = new ArrayList<>();
        if (options.bindNonceToSource()) {
            bindings.add(NonceBinding.SOURCE_ADDRESS);
        }
        if (options.bindNonceToCallId()) {
            bindings.add(NonceBinding.CALL_ID);
        }
        DigestPolicy policy = DigestPolicy.builder(realm)
                .algorithms(options.digestAlgorithms().stream()
                        .map(name -> DigestAlgorithm.fromToken(name).orElseThrow()).toArray(DigestAlgorithm[]::new))
                .nonceValiditySeconds(nonceValiditySeconds)
                .bindNonceTo(bindings.toArray(NonceBinding[]::new))
                .acceptRfc2069Clients(options.acceptDigestWithoutQop())
                .build();
        return new DigestAuthenticator(policy, context.secret(), users, context.clock(), context.random(),
                context.nonceCounts());
    }

    /**
     * Users without digest credentials are left out: nobody can authenticate as them. No userhash
     * index: our policies never offer userhash, and it would cost three hashes per user at every load.
     */
    private static DigestUserDirectory directory(List<Map.Entry<String, Optional<DigestCredentials>>> users) {
        InMemoryDigestUserDirectory.Builder directory = InMemoryDigestUserDirectory.builder().withoutUserhashIndex();
        for (Map.Entry<String, Optional<DigestCredentials>> user : users) {
            user.getValue().ifPresent(credentials -> directory.add(credentials.realm(), user.getKey(),
                    credentials.checksums()));
        }
        return directory.build();
    }
}
