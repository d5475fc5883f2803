package org.sipshield.config;

import java.nio.file.Path;

/**
 * Settings of this proxy instance.
 *
 * @param hostName      the name it gives itself: CN of its generated certificate, Via and Contact host
 * @param nodeName      this node's name in a cluster, recorded with every binding it holds (default: the
 *                      machine's host name)
 * @param dataDirectory where it keeps its certificates, keys and databases (created on start)
 * @param stallWarningSeconds how long a signalling thread may work on one message before the stall
 *                      watchdog logs it with a thread dump
 * @param shutdownDrainSeconds how long a drain (SIGTERM, POST /drain) lets calls in progress go on
 *                      before each gets BYE on both legs and the process stops
 * @param callRecordDays how long call records stay in the database before housekeeping deletes them
 * @param logFormat     TEXT or JSON log lines on standard output (set at start: a restart changes it)
 */
public record ServerSettings(String hostName, String nodeName, Path dataDirectory, int stallWarningSeconds,
        int shutdownDrainSeconds, int callRecordDays, LogFormat logFormat) {
    public static final int DEFAULT_CALL_RECORD_DAYS = 90;
    public static final int DEFAULT_STALL_WARNING_SECONDS = 10;
    public static final int DEFAULT_SHUTDOWN_DRAIN_SECONDS = 30;
}
