package org.sipshield.config;

/** An application connected through a trunk, with its digest credentials and its own method ACL. */
public record ApplicationUser(String userId, DigestCredentials digestCredentials,
        boolean acceptPresenceSubscription, boolean acceptOutOfDialogRefer,
        boolean acceptUnsolicitedNotification, boolean acceptReplacesHeader) implements MethodAcl {}
