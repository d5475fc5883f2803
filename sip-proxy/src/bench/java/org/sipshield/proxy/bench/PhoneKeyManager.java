package org.sipshield.proxy.bench;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.sipshield.tls.ServerIdentity;

/**
 * One key manager for every phone of the generator, so they share one SSLContext (a context per
 * phone costs tens of milliseconds each on a busy machine): each phone's SSLEngine is registered
 * with its device name, and the handshake of that engine presents that phone's certificate only.
 */
final class PhoneKeyManager extends X509ExtendedKeyManager {
    private final Map<String, ServerIdentity> identities = new ConcurrentHashMap<>();
    private final Map<SSLEngine, String> aliases = new ConcurrentHashMap<>();

    void add(String deviceName, ServerIdentity identity) {
        identities.put(deviceName, identity);
    }

    /** The engine's handshakes will present deviceName's certificate. */
    void bind(SSLEngine engine, String deviceName) {
        aliases.put(engine, deviceName);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        String alias = aliases.get(engine);
        if (alias == null || keyTypes == null) {
            return null;
        }
        return Arrays.asList(keyTypes).contains(identities.get(alias).privateKey().getAlgorithm()) ? alias : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        ServerIdentity identity = identities.get(alias);
        return identity == null ? null : identity.chain().toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        ServerIdentity identity = identities.get(alias);
        return identity == null ? null : identity.privateKey();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return identities.keySet().toArray(new String[0]);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return null;   // engines only
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
