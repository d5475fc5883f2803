package org.sipshield.digest;

import java.util.Optional;

/** Finds the credentials to answer a challenge for a realm (one set per realm per peer). */
@FunctionalInterface
public interface DigestCredentialsLookup {
    Optional<SipRealmCredentials> forRealm(String realm);
}
