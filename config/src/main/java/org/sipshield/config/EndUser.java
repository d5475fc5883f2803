package org.sipshield.config;

/** A person whose phone authenticates with digest credentials. */
public record EndUser(String userId, DigestCredentials digestCredentials) {}
