package org.sipshield.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The certs command over a real data directory: the thin layer only; the tls module tests the rest. */
class CertificatesCommandTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {}

    private Run certs(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new CertificatesCommand());
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 2];
        all[0] = "--data-dir";
        all[1] = dir.resolve("data").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int code = command.execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void regenerateShowExportCsrAndTrustRoundTrip() throws Exception {
        assertTrue(certs("show", "sip").out().contains("no sip certificate yet"));

        Run regenerated = certs("regenerate", "sip", "--host", "sbc.example.net", "--san", "10.1.1.1", "--key", "ec-p384", "--hash", "sha384", "--days", "90");
        assertEquals(0, regenerated.exitCode(), regenerated.err());
        Run shown = certs("show", "sip");
        assertTrue(shown.out().contains("subject:            CN=sbc.example.net"), shown.out());
        assertTrue(shown.out().contains("EC P-384"), shown.out());
        assertTrue(shown.out().contains("SHA-512 fingerprint:"), shown.out());
        assertFalse(shown.out().contains("PRIVATE"), shown.out());

        Path der = dir.resolve("sip.der");
        assertEquals(0, certs("export", "sip", "--format", "der", "--out", der.toString()).exitCode());
        assertTrue(Files.size(der) > 300);
        assertTrue(certs("export", "sip").out().startsWith("-----BEGIN CERTIFICATE-----"));

        Run weak = certs("regenerate", "sip", "--host", "x", "--key", "ec-p384", "--hash", "sha256");
        assertEquals(1, weak.exitCode());
        assertTrue(weak.err().contains("at least 384"), weak.err());

        Run csr = certs("csr", "https", "--cn", "admin.example.net");
        assertTrue(csr.out().startsWith("-----BEGIN CERTIFICATE REQUEST-----"), csr.out());
        assertTrue(certs("show", "https").out().contains("a CSR is pending"));
        Run wrong = certs("import", "https", der.toString());
        assertEquals(1, wrong.exitCode());
        assertTrue(wrong.err().contains("pending CSR's key"), wrong.err());

        Run added = certs("trust-add", "https", der.toString());
        assertEquals(0, added.exitCode(), added.err());
        assertTrue(added.out().startsWith("https-trust: ADDED CN=sbc.example.net"), added.out());
        Run listed = certs("trust-list", "https");
        assertTrue(listed.out().contains("https-trust: 1 certificate(s)"), listed.out());
        String id = listed.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
        assertEquals(0, certs("trust-delete", "https", id).exitCode());
        assertEquals(1, certs("trust-delete", "https", id).exitCode());

        assertEquals(0, certs("delete", "sip").exitCode());
        assertTrue(certs("show", "sip").out().contains("no sip certificate yet"));
        assertEquals(2, certs("show", "ftp").exitCode(), "a bad purpose is a usage error");
    }
}
