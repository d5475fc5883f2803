package org.sipshield.media;

/** Every media port pair of the range is in use: the call cannot be anchored (signalling answers 503). */
public final class MediaPortsExhaustedException extends RuntimeException {
    public MediaPortsExhaustedException(String message) {
        super(message);
    }
}
