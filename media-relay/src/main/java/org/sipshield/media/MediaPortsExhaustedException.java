package org.sipshield.media;

/**
 * No media port pair could be opened, the call cannot be anchored (signalling answers 503): every
 * pair of the range is in use, or the process has no file descriptor left (the message says which).
 */
public final class MediaPortsExhaustedException extends RuntimeException {
    public MediaPortsExhaustedException(String message) {
        super(message);
    }
}
