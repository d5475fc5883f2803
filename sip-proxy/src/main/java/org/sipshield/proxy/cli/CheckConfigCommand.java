package org.sipshield.proxy.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sipshield.config.ConfigException;
import org.sipshield.config.ConfigLoader;
import org.sipshield.config.ConfigProblem;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.proxy.security.TlsModes;
import org.sipshield.tls.CertificatePurpose;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sipshield check-config FILE}: every problem of a file, one per line; exit 1 if any. */
@Command(name = "check-config", description = "Check a configuration file and print every problem found in it.")
final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the YAML configuration file")
    Path file;

    @Spec
    CommandSpec spec;

    private static String indent(String text) {
        return text.lines().map(line -> "    " + line).reduce((a, b) -> a + System.lineSeparator() + b).orElse("");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            SipShieldConfig config = ConfigLoader.load(file);
            out.println(file + ": OK");
            config.listeners().forEach(listener -> out.println("  listener " + listener));
            config.warnings().forEach(warning -> out.println("  warning: " + warning));
            out.println("  effective SIP TLS (sip-tls):");
            out.println(indent(config.tls().policy().effective(CertificatePurpose.SIP, TlsModes.sipListenerProtections(config)).describe()));
            out.println("  effective HTTPS TLS (https-tls):");
            out.println(indent(config.tls().policy().effective(CertificatePurpose.HTTPS).describe()));
            out.flush();
            return 0;
        } catch (ConfigException e) {
            for (ConfigProblem problem : e.problems()) {
                err.println(problem);
            }
            err.println(e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s") + " in " + file);
            err.flush();
            return 1;
        }
    }
}
