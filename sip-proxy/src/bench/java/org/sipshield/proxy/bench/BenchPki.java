package org.sipshield.proxy.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.sipshield.tls.BouncyCastle;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.IdentityStore;
import org.sipshield.tls.KeySpec;
import org.sipshield.tls.ServerIdentity;

/**
 * The bench CA and the phone certificates it issues. The CA is kept in a directory laid out as
 * sipshield's own identities ({@link IdentityStore}: certs/sip.key.pem, certs/sip.crt.pem), so the
 * script can copy its certificate into the proxy's SIP trust store and every run of the generator
 * issues from the same CA. EC P-256 keys and ECDSA signatures (from Bouncy Castle, as sipshield's
 * own keys, which OpenSSL reads back): a thousand phones get theirs in seconds, where RSA 2048
 * would take minutes on the busy bench machine.
 */
final class BenchPki {
    private static final Duration VALIDITY = Duration.ofDays(2);
    private final SecureRandom random = new SecureRandom();
    private final ServerIdentity ca;

    private BenchPki(ServerIdentity ca) {
        this.ca = ca;
    }

    /** The CA stored in directory, created (and stored) on first use. */
    static BenchPki loadOrCreate(Path directory) throws IOException, GeneralSecurityException {
        IdentityStore store = new IdentityStore(directory);
        if (store.exists(CertificatePurpose.SIP)) {
            return new BenchPki(store.load(CertificatePurpose.SIP));
        }
        KeyPair keys = KeySpec.EC_P256.generate();
        X500Name name = new X500Name("CN=sigbench phone CA,O=sipshield bench");
        Instant now = Instant.now().minus(Duration.ofHours(1));
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(new SecureRandom()), Date.from(now),
                Date.from(now.plus(VALIDITY)), name, keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        ServerIdentity ca = new ServerIdentity(keys.getPrivate(), List.of(sign(builder, keys.getPrivate())));
        store.store(CertificatePurpose.SIP, ca);
        return new BenchPki(ca);
    }

    X509Certificate caCertificate() {
        return ca.certificate();
    }

    /** A client certificate whose CN is the device name (what sipshield matches), chained to the CA. */
    ServerIdentity issue(String deviceName) throws GeneralSecurityException {
        KeyPair keys = KeySpec.EC_P256.generate();
        Instant now = Instant.now().minus(Duration.ofMinutes(10));
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(random), Date.from(now),
                Date.from(now.plus(VALIDITY)), new X500Name("CN=" + deviceName), keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return new ServerIdentity(keys.getPrivate(), List.of(sign(builder, ca.privateKey()), ca.certificate()));
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(64, random).setBit(63);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().setProvider(BouncyCastle.provider())
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BouncyCastle.provider()).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
