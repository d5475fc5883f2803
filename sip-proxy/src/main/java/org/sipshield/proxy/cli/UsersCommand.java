package org.sipshield.proxy.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.sipshield.digest.DigestChecksum;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sipshield users}: digest credentials for the configuration, so no operator hand-computes a hash. */
@Command(name = "users", description = "Digest credentials for end users, application users and SIP realms.",
        subcommands = {UsersCommand.SetDigest.class})
final class UsersCommand {

    @Command(name = "set-digest", description = {
        "Print the digestCredentials of a user (HA1 per algorithm, never the password) to paste into the",
        "configuration under endUsers, applicationUsers or sipRealms. The password is read from the",
        "terminal without echo, or from the first line of standard input with --password-stdin."})
    static final class SetDigest implements Callable<Integer> {
        @Option(names = "--user", required = true, description = "the digest user name")
        String user;

        @Option(names = "--realm", defaultValue = "ccmsipline", description = {
            "the realm: the SIP Station Realm for phones (default ${DEFAULT-VALUE}), the Cluster ID for",
            "application users, the peer's realm for sipRealms"})
        String realm;

        @Option(names = "--password-stdin", description = "read the password from standard input")
        boolean passwordFromStdin;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            char[] password = password();
            if (password == null || password.length == 0) {
                spec.commandLine().getErr().println("no password given");
                return 2;
            }
            try {
                List<DigestChecksum> checksums = DigestChecksum.computeAll(user, realm, password);
                PrintWriter out = spec.commandLine().getOut();
                out.println("# digest credentials of " + user + " in realm " + realm);
                out.println("digestCredentials:");
                for (DigestChecksum checksum : checksums) {
                    String stored = checksum.toStoredForm();
                    int colon = stored.lastIndexOf(':');
                    out.println("  " + stored.substring(0, colon) + ": " + stored.substring(colon + 1));
                }
                out.flush();
                return 0;
            } finally {
                Arrays.fill(password, '\0');
            }
        }

        private char[] password() throws IOException {
            Console console = System.console();
            if (!passwordFromStdin && console != null) {
                return console.readPassword("password for %s in %s: ", user, realm);
            }
            if (!passwordFromStdin) {
                spec.commandLine().getErr().println("no terminal to ask for the password: use --password-stdin");
                return null;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = in.readLine();
            return line == null ? null : line.toCharArray();
        }
    }
}
