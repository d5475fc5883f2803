package org.sipshield.config;

/**
 * How log lines are written on standard output: TEXT for a person at a terminal, JSON (one object
 * per line, Logback's JsonEncoder, the call's Call-ID in "mdc") for a log shipper.
 */
public enum LogFormat {
    TEXT,
    JSON
}
