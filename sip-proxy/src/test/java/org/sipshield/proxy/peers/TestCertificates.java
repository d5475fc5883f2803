package org.sipshield.proxy.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A test CA and certificates made with the real openssl command line, as an operator's PKI would. */
public final class TestCertificates {
    private final Path directory;

    public TestCertificates(Path directory) {
        this.directory = directory;
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-subj", "/CN=sipshield test CA", "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    public Path caCertificate() {
        return directory.resolve("ca.pem");
    }

    /** A leaf key and certificate for these names, signed by the test CA (or self-signed); returns {cert, key}. */
    public Path[] issue(String name, boolean signedByCa, String... subjectAlternativeNames) {
        String san = String.join(",", java.util.Arrays.stream(subjectAlternativeNames)
                .map(n -> n.matches("[0-9.]+") ? "IP:" + n : "DNS:" + n).toList());
        if (!signedByCa) {
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
                    "-subj", "/CN=" + name, "-days", "2", "-addext", "subjectAltName=" + san);
        } else {
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                    "-subj", "/CN=" + name, "-addext", "subjectAltName=" + san);
            sign(directory.resolve(name + ".csr"), directory.resolve(name + ".pem"));
        }
        return new Path[] {directory.resolve(name + ".pem"), directory.resolve(name + ".key")};
    }

    /** Signs a CSR with the test CA, keeping the CSR's extensions (SAN, key usages). */
    public void sign(Path csr, Path certificate) {
        openssl("x509", "-req", "-in", csr.toString(), "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-copy_extensions", "copy", "-out", certificate.toString());
    }

    private void openssl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        ProcessOutput result = ProcessOutput.run(command, directory, 60);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("openssl failed: " + command + "\n" + result.output());
        }
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
