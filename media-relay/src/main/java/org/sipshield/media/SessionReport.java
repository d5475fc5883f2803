package org.sipshield.media;

/**
 * What a relay session carried, told once when it ends (hang-up, media timeout, shutdown): ready
 * for metrics. Never holds key material.
 */
public record SessionReport(String label, LegCounters legA, LegCounters legB) {
    public LegCounters leg(RelaySide side) {
        return side == RelaySide.A ? legA : legB;
    }
}
