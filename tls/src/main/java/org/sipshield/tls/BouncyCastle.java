package org.sipshield.tls;

import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The Bouncy Castle providers, created once and passed explicitly to every factory, so that
 * cipher choice and order are Bouncy Castle's on every JDK without touching the JVM's global
 * provider list.
 *
 * <p>BCJSSE applies the JVM-wide {@code jdk.tls.disabledAlgorithms} on top of whatever we
 * enable, and it reads it once, when its constraints class loads. The JDK's value forbids TLS
 * 1.0/1.1 (our minimum-version setting allows them) and NULL encryption (the reference's
 * AUTHENTICATED mode needs NULL-SHA). So while BCJSSE loads we lift exactly those three entries
 * and then put the JVM's value back, leaving SunJSSE and everyone else as they were. Our
 * {@link TlsPolicy} decides what is really enabled; everything else the JDK forbids stays forbidden.
 */
public final class BouncyCastle {
    private static final String TLS_DISABLED_ALGORITHMS = "jdk.tls.disabledAlgorithms";
    private static final Set<String> LIFTED_FOR_BCJSSE = Set.of("TLSv1", "TLSv1.1", "NULL");
    /** BCJSSE's own default when the JVM has no such property (copied from BCJSSE 1.84). */
    private static final String BCJSSE_DEFAULT = "SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, "
            + "DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH";

    private static final Provider CRYPTO = new BouncyCastleProvider();
    private static final Provider JSSE = loadJsse();

    private BouncyCastle() {}

    public static Provider provider() {
        return CRYPTO;
    }

    public static Provider jsseProvider() {
        return JSSE;
    }

    private static synchronized Provider loadJsse() {
        String jvmValue = Security.getProperty(TLS_DISABLED_ALGORITHMS);
        Provider jsse = new BouncyCastleJsseProvider(CRYPTO);
        try {
            Security.setProperty(TLS_DISABLED_ALGORITHMS, without(jvmValue == null ? BCJSSE_DEFAULT : jvmValue));
            SSLContext context = SSLContext.getInstance("TLS", jsse);
            context.init(null, null, null);
            context.createSSLEngine().getSupportedCipherSuites();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Bouncy Castle JSSE does not start: " + e.getMessage(), e);
        } finally {
            // An absent property and an empty one mean the same to SunJSSE: nothing disabled.
            Security.setProperty(TLS_DISABLED_ALGORITHMS, jvmValue == null ? "" : jvmValue);
        }
        return jsse;
    }

    private static String without(String disabledAlgorithms) {
        List<String> kept = new ArrayList<>();
        for (String entry : disabledAlgorithms.split(",")) {
            if (!LIFTED_FOR_BCJSSE.contains(entry.trim())) {
                kept.add(entry.trim());
            }
        }
        return String.join(", ", kept);
    }
}
