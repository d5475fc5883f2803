package org.sipshield.proxy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sipshield}: the command line of the proxy. */
@Command(name = "sipshield", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "SIP security proxy (B2BUA) and SRTP media key manager.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, UsersCommand.class, CertificatesCommand.class, AdminCommand.class, CtlCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {
    static {
        org.sipshield.proxy.LogBridge.install();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }
}
