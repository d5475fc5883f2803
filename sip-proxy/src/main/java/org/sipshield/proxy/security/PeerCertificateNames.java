package org.sipshield.proxy.security;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** The names a TLS peer's certificate claims: subject CN and SAN dNSName / iPAddress entries. */
public final class PeerCertificateNames {
    private PeerCertificateNames() {}

    public static List<String> of(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    names.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            // a subject we cannot read names nothing
        }
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    int type = (Integer) alternative.get(0);
                    if (type == 2 || type == 7) { // dNSName, iPAddress
                        names.add(alternative.get(1).toString());
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no usable SAN extension
        }
        return names;
    }

    /** True when one of the certificate's names is one of the allowed names (case-insensitive). */
    public static boolean matchesAny(X509Certificate certificate, List<String> allowed) {
        for (String name : of(certificate)) {
            for (String candidate : allowed) {
                if (name.toLowerCase(Locale.ROOT).equals(candidate.toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
        }
        return false;
    }
}
