package org.sipshield.tls;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The Bouncy Castle providers, created once and passed explicitly to every factory, so that
 * cipher choice and order are Bouncy Castle's on every JDK without touching the JVM's global
 * provider list.
 */
public final class BouncyCastle {
    private static final Provider CRYPTO = new BouncyCastleProvider();
    private static final Provider JSSE = new BouncyCastleJsseProvider(CRYPTO);

    private BouncyCastle() {}

    public static Provider provider() {
        return CRYPTO;
    }

    public static Provider jsseProvider() {
        return JSSE;
    }
}
