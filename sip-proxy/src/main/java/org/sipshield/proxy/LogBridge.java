package org.sipshield.proxy;

/**
 * One log for everything: Bouncy Castle's JSSE logs through java.util.logging, which is sent
 * to SLF4J here before any TLS class loads (the command line and the server both call this).
 */
public final class LogBridge {
    private static boolean installed;

    private LogBridge() {}

    public static synchronized void install() {
        if (!installed) {
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
            installed = true;
        }
    }
}
