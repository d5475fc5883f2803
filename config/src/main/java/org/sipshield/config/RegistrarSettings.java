package org.sipshield.config;

/**
 * How the registrar treats REGISTER intervals and contacts (RFC 3261 section 10.3).
 *
 * @param minExpires         shorter intervals get 423 Interval Too Brief
 * @param maxExpires         longer intervals are shortened to this
 * @param defaultExpires     granted when a REGISTER names no interval
 * @param maxContactsPerLine contacts one line may hold at once; a new one replaces the oldest
 */
public record RegistrarSettings(int minExpires, int maxExpires, int defaultExpires, int maxContactsPerLine) {}
