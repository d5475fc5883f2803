package org.sipshield.config;

/** Credentials sipshield answers a trunk peer's challenge with, for one realm and trunk. */
public record SipRealm(String realm, String trunk, String user, DigestCredentials digestCredentials) {}
