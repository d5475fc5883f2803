package org.sipshield.proxy.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sipshield.proxy.management.AdminToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sipshield admin token}: a new management API token; the previous one stops working at once. */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Management API credentials.",
        subcommands = {AdminCommand.Token.class})
public final class AdminCommand {
    @Option(names = "--data-dir", defaultValue = "data", paramLabel = "DIR",
            description = "the proxy's data directory (server.dataDirectory), default: ${DEFAULT-VALUE}")
    Path dataDirectory;

    @Command(name = "token", description = "Make a new bearer token for the management API and print it once;"
            + " only its salted hash is stored. The running proxy refuses the old token from the next request on.")
    static final class Token implements Callable<Integer> {
        @ParentCommand
        AdminCommand parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try {
                String token = new AdminToken(parent.dataDirectory).rotate();
                spec.commandLine().getOut().println(token);
                spec.commandLine().getOut().flush();
                return 0;
            } catch (Exception e) {
                spec.commandLine().getErr().println("admin token: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                spec.commandLine().getErr().flush();
                return 1;
            }
        }
    }
}
