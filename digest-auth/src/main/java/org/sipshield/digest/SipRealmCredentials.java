package org.sipshield.digest;

import java.util.Arrays;

/**
 * The reference's "SIP Realm": the user and password we answer a trunk peer's challenge with,
 * for one realm. The password stays a char array and never appears in toString().
 */
public final class SipRealmCredentials {

    private final String realm;
    private final String user;
    private final char[] password;

    public SipRealmCredentials(String realm, String user, char[] password) {
        this.realm = DigestParams.requireHeaderSafe("realm", realm);
        this.user = DigestParams.requireHeaderSafe("user", user);
        if (user.isEmpty()) {
            throw new IllegalArgumentException("user must not be empty");
        }
        if (password == null) {
            throw new IllegalArgumentException("password is required");
        }
        this.password = password.clone();
    }

    public String realm() {
        return realm;
    }

    public String user() {
        return user;
    }

    char[] password() {
        return password;
    }

    /** Overwrites the password copy held here, e.g. when the configuration is replaced. */
    public void destroy() {
        Arrays.fill(password, '\0');
    }

    @Override
    public String toString() {
        return "SipRealmCredentials[realm=" + realm + ", user=" + user + ", password=<redacted>]";
    }
}
