package org.sipshield.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * SSLContexts on Bouncy Castle's JSSE provider for the proxy's identities, without a policy.
 * Kept for the proxy's first wiring; {@link TlsSocketFactory} replaces it (policy, trust
 * store, peer checks, per-socket curves).
 */
public final class TlsContexts {
    private TlsContexts() {}

    /** A context presenting this identity, verifying peers with the given trust managers. */
    public static SSLContext create(ServerIdentity identity, TrustManager[] trustManagers)
            throws GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12", BouncyCastle.provider());
        try {
            keyStore.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        char[] transientPassword = new char[0];
        keyStore.setKeyEntry("identity", identity.privateKey(), transientPassword,
                identity.chain().toArray(new Certificate[0]));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("PKIX", BouncyCastle.jsseProvider());
        keyManagers.init(keyStore, transientPassword);
        SSLContext context = SSLContext.getInstance("TLS", BouncyCastle.jsseProvider());
        context.init(keyManagers.getKeyManagers(), trustManagers, new java.security.SecureRandom());
        return context;
    }
}
