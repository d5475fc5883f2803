package org.sipshield.proxy.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sipshield.tls.CertificateDetails;
import org.sipshield.tls.CertificateManager;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.KeySpec;
import org.sipshield.tls.ServerIdentity;
import org.sipshield.tls.SignatureHash;
import org.sipshield.tls.TrustStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code sipshield certs ...}: the operator's certificate tasks over the tls module's API.
 * Register with {@code subcommands = {..., CertificatesCommand.class}} on {@code sipshield}.
 * Errors print one line and exit 1; nothing here prints key material.
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Show, export, regenerate, request (CSR), import and delete the proxy's certificates; manage the trust stores.",
        subcommands = {CertificatesCommand.Show.class, CertificatesCommand.Export.class, CertificatesCommand.Regenerate.class,
            CertificatesCommand.Csr.class, CertificatesCommand.Import.class, CertificatesCommand.Delete.class,
            CertificatesCommand.TrustAdd.class, CertificatesCommand.TrustList.class, CertificatesCommand.TrustDelete.class})
public final class CertificatesCommand {
    @Option(names = "--data-dir", defaultValue = "data", paramLabel = "DIR",
            description = "the proxy's data directory (server.dataDirectory), default: ${DEFAULT-VALUE}")
    Path dataDirectory;

    @Spec
    CommandSpec spec;

    /** sip, sip-ecdsa or https. */
    static final class PurposeConverter implements ITypeConverter<CertificatePurpose> {
        @Override
        public CertificatePurpose convert(String value) {
            for (CertificatePurpose purpose : CertificatePurpose.values()) {
                if (purpose.fileStem().equalsIgnoreCase(value)) {
                    return purpose;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not sip, sip-ecdsa or https");
        }
    }

    /** What every subcommand shares: the parent's data directory, output, and error handling. */
    abstract static class Task implements Callable<Integer> {
        @ParentCommand
        CertificatesCommand parent;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        CertificateManager manager() {
            return new CertificateManager(parent.dataDirectory);
        }

        @Override
        public final Integer call() {
            try {
                run();
                out().flush();
                return 0;
            } catch (Exception e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("certs " + spec.name() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                err.flush();
                return 1;
            }
        }

        abstract void run() throws Exception;
    }

    @Command(name = "show", description = "Subject, issuer, serial, validity, key and fingerprints of an own certificate chain.")
    static final class Show extends Task {
        @Parameters(index = "0", paramLabel = "PURPOSE", converter = PurposeConverter.class, description = "sip, sip-ecdsa or https")
        CertificatePurpose purpose;

        @Override
        void run() throws Exception {
            List<CertificateDetails> chain = manager().show(purpose);
            if (chain.isEmpty()) {
                out().println("no " + purpose.fileStem() + " certificate yet (the proxy makes a self-signed one on its first start)");
            }
            for (int i = 0; i < chain.size(); i++) {
                out().println(i == 0 ? purpose.fileStem() + " certificate:" : "issued by (chain " + i + "):");
                out().print(chain.get(i).describe());
            }
            Optional<byte[]> csr = manager().pendingCsr(purpose);
            if (csr.isPresent()) {
                out().println("a CSR is pending: import the certificate signed for it with 'certs import " + purpose.fileStem() + " FILE'");
            }
        }
    }

    @Command(name = "export", description = "Write the certificate: PEM (whole chain) or DER (the certificate alone).")
    static final class Export extends Task {
        @Parameters(index = "0", paramLabel = "PURPOSE", converter = PurposeConverter.class, description = "sip, sip-ecdsa or https")
        CertificatePurpose purpose;

        @Option(names = "--format", defaultValue = "pem", description = "pem or der, default: ${DEFAULT-VALUE}")
        String format;

        @Option(names = "--out", paramLabel = "FILE", description = "write here instead of standard output (required for der)")
        Path file;

        @Override
        void run() throws Exception {
            CertificateManager.ExportFormat exportFormat = CertificateManager.ExportFormat.valueOf(format.toUpperCase(Locale.ROOT));
            byte[] bytes = manager().export(purpose, exportFormat);
            if (file != null) {
                Files.write(file, bytes);
                out().println("wrote " + file);
            } else if (exportFormat == CertificateManager.ExportFormat.DER) {
                throw new IllegalArgumentException("DER is binary: give --out FILE");
            } else {
                out().print(new String(bytes, java.nio.charset.StandardCharsets.US_ASCII));
            }
        }
    }

    /** The key of a new self-signed certificate or CSR: its further names, key type and size, signature hash. */
    static final class KeyOptions {
        @Option(names = "--san", paramLabel = "NAME", description = "a further DNS name or IP address (repeatable)")
        List<String> sans = List.of();

        @Option(names = "--key", description = "rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384, ec-p521; default: rsa-2048 (ec-p256 for sip-ecdsa)")
        String key;

        @Option(names = "--hash", defaultValue = "sha256", description = "sha256, sha384, sha512 (at least as strong as the key); default: ${DEFAULT-VALUE}")
        String hash;

        KeySpec keySpec(CertificatePurpose purpose) {
            return key != null ? KeySpec.fromName(key) : purpose.requiresEcKey() ? KeySpec.EC_P256 : KeySpec.RSA_2048;
        }

        SignatureHash signatureHash() {
            return SignatureHash.fromName(hash);
        }
    }

    @Command(name = "regenerate", description = "Replace the certificate with a new self-signed one (overwrites a CA-signed one).")
    static final class Regenerate extends Task {
        @Parameters(index = "0", paramLabel = "PURPOSE", converter = PurposeConverter.class, description = "sip, sip-ecdsa or https")
        CertificatePurpose purpose;

        @Option(names = "--host", required = true, description = "host name: the CN and first subject alternative name")
        String host;

        @Mixin
        KeyOptions keyOptions;

        @Option(names = "--days", defaultValue = "1825", description = "validity in days, default: ${DEFAULT-VALUE}")
        int days;

        @Override
        void run() throws Exception {
            if (days < 1 || days > 3650) {
                throw new IllegalArgumentException("--days is 1 to 3650");
            }
            ServerIdentity identity = manager().regenerate(purpose, host, keyOptions.sans, keyOptions.keySpec(purpose), keyOptions.signatureHash(),
                    Duration.ofDays(days));
            out().println("new self-signed " + purpose.fileStem() + " certificate; a running proxy serves it on its new TLS connections within seconds:");
            out().print(CertificateDetails.of(identity.certificate()).describe());
        }
    }

    @Command(name = "csr", description = "Generate a PKCS#10 certificate signing request with a new key (kept pending, 0600).")
    static final class Csr extends Task {
        @Parameters(index = "0", paramLabel = "PURPOSE", converter = PurposeConverter.class, description = "sip, sip-ecdsa or https")
        CertificatePurpose purpose;

        @Option(names = "--cn", required = true, description = "common name, also the first subject alternative name")
        String commonName;

        @Mixin
        KeyOptions keyOptions;

        @Option(names = "--out", paramLabel = "FILE", description = "write the CSR here instead of standard output")
        Path file;

        @Override
        void run() throws Exception {
            byte[] csr = manager().createCsr(purpose, commonName, keyOptions.sans, keyOptions.keySpec(purpose),
                    keyOptions.signatureHash());
            if (file != null) {
                Files.write(file, csr);
                out().println("wrote " + file + "; give it to your CA, then: certs import " + purpose.fileStem() + " SIGNED.pem");
            } else {
                out().print(new String(csr, java.nio.charset.StandardCharsets.US_ASCII));
            }
        }
    }

    @Command(name = "import", description = "Install the CA-signed certificate (PEM, DER, PEM chain or PKCS#7) for the pending CSR.")
    static final class Import extends Task {
        @Parameters(index = "0", paramLabel = "PURPOSE", converter = PurposeConverter.class, description = "sip, sip-ecdsa or https")
        CertificatePurpose purpose;

        @Parameters(index = "1", paramLabel = "FILE", description = "the signed certificate or chain")
        Path file;

        @Override
        void run() throws Exception {
            ServerIdentity identity = manager().importCertificate(purpose, Files.readAllBytes(file), null);
            out().println("imported; the " + purpose.fileStem() + " chain now has " + identity.chain().size()
                    + " certificate(s); a running proxy serves it on its new TLS connections within seconds:");
            out().print(CertificateDetails.of(identity.certificate()).describe());
        }
    }

    @Command(name = "delete", description = "Delete the certificate and any pending CSR; the next start makes a self-signed one.")
    static final class Delete extends Task {
        @Parameters(index = "0", paramLabel = "PURPOSE", converter = PurposeConverter.class, description = "sip, sip-ecdsa or https")
        CertificatePurpose purpose;

        @Override
        void run() throws Exception {
            out().println(manager().delete(purpose) ? "deleted the " + purpose.fileStem() + " certificate"
                    : "there was no " + purpose.fileStem() + " certificate");
        }
    }

    @Command(name = "trust-add", description = "Add certificates (PEM, DER or PEM chain) to sip-trust or https-trust.")
    static final class TrustAdd extends Task {
        @Parameters(index = "0", paramLabel = "PURPOSE", converter = PurposeConverter.class, description = "sip, sip-ecdsa or https")
        CertificatePurpose purpose;

        @Parameters(index = "1", paramLabel = "FILE", description = "the certificate(s) to trust")
        Path file;

        @Override
        void run() throws Exception {
            TrustStore store = new TrustStore(parent.dataDirectory, purpose);
            for (TrustStore.AddResult result : store.add(Files.readAllBytes(file))) {
                out().println(store.name() + ": " + result);
            }
        }
    }

    @Command(name = "trust-list", description = "List sip-trust or https-trust.")
    static final class TrustList extends Task {
        @Parameters(index = "0", paramLabel = "PURPOSE", converter = PurposeConverter.class, description = "sip, sip-ecdsa or https")
        CertificatePurpose purpose;

        @Override
        void run() throws Exception {
            TrustStore store = new TrustStore(parent.dataDirectory, purpose);
            List<TrustStore.Entry> entries = store.list();
            out().println(store.name() + ": " + entries.size() + " certificate(s)");
            for (TrustStore.Entry entry : entries) {
                CertificateDetails details = entry.details();
                out().println(entry.id() + "  " + details.subject() + "  until " + details.notAfter()
                        + "  SHA-256 " + details.sha256Fingerprint());
            }
        }
    }

    @Command(name = "trust-delete", description = "Delete a trusted certificate by id or SHA-256 fingerprint prefix.")
    static final class TrustDelete extends Task {
        @Parameters(index = "0", paramLabel = "PURPOSE", converter = PurposeConverter.class, description = "sip, sip-ecdsa or https")
        CertificatePurpose purpose;

        @Parameters(index = "1", paramLabel = "ID", description = "an id from trust-list, or 8+ hex digits of the fingerprint")
        String id;

        @Override
        void run() throws Exception {
            TrustStore store = new TrustStore(parent.dataDirectory, purpose);
            if (!store.delete(id)) {
                throw new IllegalArgumentException(store.name() + " holds no certificate '" + id + "'");
            }
            out().println(store.name() + ": deleted " + id);
        }
    }
}
