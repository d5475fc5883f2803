package org.sipshield.tls;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaCertificateID;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OCSP (RFC 6960) with Bouncy Castle: one POST per certificate to the responder the
 * certificate names or the configured one; the signed answer is checked (issuer, issuer's
 * delegated OCSP signer, or a directly trusted responder; nonce; freshness) and kept for the
 * check interval. Any failure to get a believable answer is UNKNOWN with its reason, which
 * refuses only in strict mode.
 */
public final class OcspClient implements RevocationChecker {
    private static final Logger LOG = LoggerFactory.getLogger(OcspClient.class);
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final int MAX_CACHED = 10_000;
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private final OcspSettings settings;
    private final Clock clock;
    private final HttpClient http;
    private final Map<String, OcspResult> cache = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public OcspClient(OcspSettings settings) {
        this(settings, Clock.systemUTC());
    }

    public OcspClient(OcspSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public boolean strict() {
        return settings.strict();
    }

    @Override
    public OcspResult check(X509Certificate certificate, X509Certificate issuer) {
        String key = issuer.getSubjectX500Principal().getName() + "#" + certificate.getSerialNumber().toString(16);
        Instant now = clock.instant();
        OcspResult cached = cache.get(key);
        if (cached != null && cached.checkedAt().plus(settings.checkEvery()).isAfter(now)) {
            return cached;
        }
        OcspResult result = ask(certificate, issuer, now);
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, result);
        if (result.status() != OcspResult.Status.GOOD) {
            LOG.warn("OCSP {} for {} serial {}: {}", result.status(), certificate.getSubjectX500Principal().getName(),
                    certificate.getSerialNumber().toString(16), result.detail());
        }
        return result;
    }

    private OcspResult ask(X509Certificate certificate, X509Certificate issuer, Instant now) {
        Optional<URI> responder = settings.configuredUri().or(() -> responderOf(certificate));
        if (responder.isEmpty()) {
            return unknown("the certificate names no OCSP responder and none is configured", now);
        }
        try {
            CertificateID id = new JcaCertificateID(new JcaDigestCalculatorProviderBuilder().build()
                    .get(CertificateID.HASH_SHA1), issuer, certificate.getSerialNumber());
            byte[] nonce = new byte[16];
            random.nextBytes(nonce);
            OCSPReq request = new OCSPReqBuilder().addRequest(id)
                    // RFC 8954: the extension's value is the DER encoding of an OCTET STRING holding the nonce.
                    .setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                            new DEROctetString(new DEROctetString(nonce).getEncoded()))))
                    .build();
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(responder.get())
                    .timeout(settings.timeout())
                    .header("Content-Type", "application/ocsp-request")
                    .header("Accept", "application/ocsp-response")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request.getEncoded())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                return unknown("responder " + responder.get() + " answered HTTP " + response.statusCode(), now);
            }
            if (response.body().length > MAX_RESPONSE_BYTES) {
                return unknown("responder answer is larger than " + MAX_RESPONSE_BYTES + " bytes", now);
            }
            return interpret(new OCSPResp(response.body()), id, nonce, issuer, now);
        } catch (IOException e) {
            return unknown("responder " + responder.get() + " unreachable: " + e, now);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unknown("interrupted while asking " + responder.get(), now);
        } catch (OCSPException | OperatorCreationException | GeneralSecurityException | RuntimeException e) {
            return unknown("unusable answer from " + responder.get() + ": " + e.getMessage(), now);
        }
    }

    private OcspResult interpret(OCSPResp response, CertificateID id, byte[] nonce, X509Certificate issuer, Instant now)
            throws OCSPException, OperatorCreationException, GeneralSecurityException, IOException {
        if (response.getStatus() != OCSPResp.SUCCESSFUL) {
            return unknown("responder status " + response.getStatus() + " (not successful)", now);
        }
        BasicOCSPResp basic = (BasicOCSPResp) response.getResponseObject();
        Optional<String> signer = verifySigner(basic, issuer);
        if (signer.isEmpty()) {
            return unknown("the answer is not signed by the issuer, its delegated OCSP signer or a trusted responder", now);
        }
        Extension nonceExtension = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (nonceExtension != null && !Arrays.equals(new DEROctetString(nonce).getEncoded(),
                nonceExtension.getExtnValue().getOctets())) {
            return unknown("the answer's nonce is not ours (replayed?)", now);
        }
        for (SingleResp single : basic.getResponses()) {
            if (!single.getCertID().equals(id)) {
                continue;
            }
            if (single.getThisUpdate().toInstant().isAfter(now.plus(CLOCK_SKEW))) {
                return unknown("the answer is dated in the future (" + single.getThisUpdate().toInstant() + ")", now);
            }
            Date nextUpdate = single.getNextUpdate();
            if (nextUpdate != null && nextUpdate.toInstant().plus(CLOCK_SKEW).isBefore(now)) {
                return unknown("the answer is stale (next update was " + nextUpdate.toInstant() + ")", now);
            }
            CertificateStatus status = single.getCertStatus();
            if (status == CertificateStatus.GOOD) {
                return new OcspResult(OcspResult.Status.GOOD, "good, signed by " + signer.get(), now);
            }
            if (status instanceof RevokedStatus revoked) {
                String reason = revoked.hasRevocationReason() ? ", reason " + revoked.getRevocationReason() : "";
                return new OcspResult(OcspResult.Status.REVOKED, "revoked at "
                        + revoked.getRevocationTime().toInstant() + reason + ", signed by " + signer.get(), now);
            }
            if (status instanceof UnknownStatus) {
                return unknown("the responder does not know this certificate", now);
            }
        }
        return unknown("the answer does not cover this certificate", now);
    }

    /** The signer's subject if the signature checks out under one of the accepted trust models. */
    private Optional<String> verifySigner(BasicOCSPResp basic, X509Certificate issuer)
            throws OperatorCreationException, GeneralSecurityException, OCSPException {
        JcaContentVerifierProviderBuilder verifiers = new JcaContentVerifierProviderBuilder().setProvider(BouncyCastle.provider());
        if (basic.isSignatureValid(verifiers.build(issuer))) {
            return Optional.of(issuer.getSubjectX500Principal().getName());
        }
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(BouncyCastle.provider());
        for (X509CertificateHolder holder : basic.getCerts()) {
            X509Certificate candidate = converter.getCertificate(holder);
            boolean delegated = candidate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())
                    && signedBy(holder, verifiers, issuer)
                    && hasOcspSigning(candidate);
            if (delegated && candidate.getNotAfter().after(Date.from(clock.instant()))
                    && basic.isSignatureValid(verifiers.build(candidate))) {
                return Optional.of(candidate.getSubjectX500Principal().getName() + " (delegated by the issuer)");
            }
        }
        for (X509Certificate responder : settings.trustedResponders()) {
            if (basic.isSignatureValid(verifiers.build(responder))) {
                return Optional.of(responder.getSubjectX500Principal().getName() + " (trusted responder)");
            }
        }
        return Optional.empty();
    }

    private static boolean signedBy(X509CertificateHolder holder, JcaContentVerifierProviderBuilder verifiers,
            X509Certificate issuer) throws OperatorCreationException {
        try {
            return holder.isSignatureValid(verifiers.build(issuer));
        } catch (org.bouncycastle.cert.CertException e) {
            return false;
        }
    }

    private static boolean hasOcspSigning(X509Certificate certificate) {
        try {
            List<String> usages = certificate.getExtendedKeyUsage();
            return usages != null && usages.contains(KeyPurposeId.id_kp_OCSPSigning.getId());
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }

    /** The first http OCSP URI of the certificate's Authority Information Access extension. */
    static Optional<URI> responderOf(X509Certificate certificate) {
        try {
            AuthorityInformationAccess access = AuthorityInformationAccess.fromExtensions(
                    new JcaX509CertificateHolder(certificate).getExtensions());
            if (access == null) {
                return Optional.empty();
            }
            for (AccessDescription description : access.getAccessDescriptions()) {
                GeneralName location = description.getAccessLocation();
                if (description.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                        && location.getTagNo() == GeneralName.uniformResourceIdentifier) {
                    URI uri = URI.create(ASN1IA5String.getInstance(location.getName()).getString());
                    if ("http".equalsIgnoreCase(uri.getScheme())) {
                        return Optional.of(uri);
                    }
                }
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            LOG.debug("unreadable AIA in {}: {}", certificate.getSubjectX500Principal(), e.getMessage());
        }
        return Optional.empty();
    }

    private static OcspResult unknown(String detail, Instant now) {
        return new OcspResult(OcspResult.Status.UNKNOWN, detail, now);
    }

    /** Drops every cached answer (e.g. after the trust store changed). */
    public void clearCache() {
        cache.clear();
    }
}
