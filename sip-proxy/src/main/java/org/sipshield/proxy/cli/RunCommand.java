package org.sipshield.proxy.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.sipshield.config.ConfigException;
import org.sipshield.config.ConfigProblem;
import org.sipshield.config.ConfigLoader;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.proxy.SipShieldServer;
import org.sipshield.proxy.Version;
import org.sipshield.proxy.logging.LogOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sipshield run [--config FILE]}: start the proxy and serve until stopped. */
@Command(name = "run", description = "Start the proxy (on the embedded default configuration unless --config is given).")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the YAML configuration file")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        SipShieldConfig config;
        try {
            config = configFile == null ? ConfigLoader.loadDefault() : ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            for (ConfigProblem problem : e.problems()) {
                System.err.println(problem);
            }
            System.err.println("sipshield not started: " + e.problems().size() + " configuration problem(s)");
            return 2;
        }
        LogOutput.apply(config.server().logFormat());
        LOG.info("sipshield {} starting with {}", Version.current(),
                configFile == null ? ConfigLoader.DEFAULT_NAME : configFile);
        SipShieldServer server = new SipShieldServer(config);
        server.configFile(configFile);
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM drains first (new calls refused, calls in progress get server.shutdownDrainSeconds);
        // a drain asked for over the management API ends by exiting, which lands here too.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("sipshield stopping");
            try {
                server.drainAndClose();
            } catch (InterruptedException e) {
                server.close();
            }
            stopped.countDown();
        }, "sipshield-shutdown"));
        server.afterDrain(() -> System.exit(0));
        server.start();
        if (configFile != null) {
            // SIGHUP re-reads the file; a file with problems is refused whole and the running configuration stays.
            sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> server.reloadConfigFile());
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                // a process that inherits SIGHUP ignored (nohup, some supervisors) keeps it ignored: the JVM
                // installs no handler then, and a reload signal would do nothing without a word
                LOG.warn("SIGHUP is ignored in this process (started under nohup?): it will not reload the configuration; "
                        + "reload with `sipshield ctl reload` (the management API), or start the proxy without nohup");
            }
        }
        LOG.info("sipshield ready");
        stopped.await();
        return 0;
    }
}
