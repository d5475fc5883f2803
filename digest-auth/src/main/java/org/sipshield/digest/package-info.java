/**
 * SIP digest authentication (RFC 3261 section 22, RFC 7616, RFC 8760), with no knowledge of SIP
 * dialogs, of the SIP stack or of the configuration format.
 *
 * <h2>Server side (we challenge phones and trunk peers)</h2>
 * One {@link org.sipshield.digest.DigestAuthenticator} per realm (SIP Station Realm for phones,
 * Cluster ID for trunks), built from a {@link org.sipshield.digest.DigestPolicy}, a
 * {@link org.sipshield.digest.NonceSecret} (per instance, or the same bytes across a cluster), a
 * {@link org.sipshield.digest.DigestUserDirectory} of stored
 * {@link org.sipshield.digest.DigestChecksum}s (HA1, never passwords) and a {@link java.time.Clock}.
 * {@code verify} returns a {@link org.sipshield.digest.DigestVerification}: an outcome, the user
 * when OK, otherwise the challenges to put in the 401/407, and the security event to log.
 * A {@link org.sipshield.digest.BruteForceGuard} counts the outcomes that are failed attempts and
 * says which sources to reject (403) or drop.
 *
 * <h2>Client side (trunk peers challenge us)</h2>
 * {@link org.sipshield.digest.DigestClient} answers a 401/407 from the
 * {@link org.sipshield.digest.SipRealmCredentials} its
 * {@link org.sipshield.digest.DigestCredentialsLookup} has for the challenge's realm, and refuses to
 * loop when handed back its previous {@link org.sipshield.digest.DigestAnswer}.
 *
 * <h2>Cluster note</h2>
 * Nonces are stateless, but nonce-count replay tracking is per instance: with a shared secret,
 * keep a client's requests on one instance (as SIP flows usually are) or a replay to another
 * instance within the nonce validity is not detected.
 */
package org.sipshield.digest;
