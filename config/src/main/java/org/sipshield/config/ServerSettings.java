package org.sipshield.config;

import java.nio.file.Path;

/**
 * Settings of this proxy instance.
 *
 * @param hostName      the name it gives itself: CN of its generated certificate, Via and Contact host
 * @param dataDirectory where it keeps its certificates, keys and databases (created on start)
 */
public record ServerSettings(String hostName, Path dataDirectory) {}
