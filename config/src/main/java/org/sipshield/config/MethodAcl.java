package org.sipshield.config;

/**
 * The four request categories the reference authorizes per trunk and per application user;
 * anything not accepted is answered 403 Forbidden.
 */
public interface MethodAcl {
    boolean acceptPresenceSubscription();

    boolean acceptOutOfDialogRefer();

    boolean acceptUnsolicitedNotification();

    boolean acceptReplacesHeader();
}
