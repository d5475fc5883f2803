package org.sipshield.media;

/** Told when a session saw no accepted media for the relay's media timeout; the session is then closed. */
@FunctionalInterface
public interface MediaTimeoutListener {
    void mediaTimedOut(RelaySession session, String reason);
}
