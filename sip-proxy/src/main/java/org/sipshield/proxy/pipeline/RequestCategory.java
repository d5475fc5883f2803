package org.sipshield.proxy.pipeline;

import javax.sip.header.EventHeader;
import javax.sip.message.Request;
import org.sipshield.config.MethodAcl;

/**
 * The request categories the reference authorizes per trunk and per application user. A request
 * outside them (INVITE, in-dialog requests, ...) is not restricted by these ACLs.
 */
public enum RequestCategory {
    PRESENCE_SUBSCRIPTION("presence subscription", "acceptPresenceSubscription"),
    OUT_OF_DIALOG_REFER("out-of-dialog REFER", "acceptOutOfDialogRefer"),
    UNSOLICITED_NOTIFICATION("unsolicited NOTIFY", "acceptUnsolicitedNotification"),
    REPLACES("Replaces header", "acceptReplacesHeader");

    private final String label;
    private final String setting;

    RequestCategory(String label, String setting) {
        this.label = label;
        this.setting = setting;
    }

    public String label() {
        return label;
    }

    /** The configuration key that accepts this category. */
    public String setting() {
        return setting;
    }

    public boolean acceptedBy(MethodAcl acl) {
        return switch (this) {
            case PRESENCE_SUBSCRIPTION -> acl.acceptPresenceSubscription();
            case OUT_OF_DIALOG_REFER -> acl.acceptOutOfDialogRefer();
            case UNSOLICITED_NOTIFICATION -> acl.acceptUnsolicitedNotification();
            case REPLACES -> acl.acceptReplacesHeader();
        };
    }

    /**
     * The categories a request falls in (a request with Replaces can also be, say, a REFER). A REFER
     * whose Refer-To embeds a Replaces falls under Replaces too: it makes the referee send one for
     * the transferor.
     */
    public static java.util.EnumSet<RequestCategory> of(InboundRequest inbound) {
        java.util.EnumSet<RequestCategory> categories = java.util.EnumSet.noneOf(RequestCategory.class);
        Request request = inbound.request();
        String method = request.getMethod();
        boolean outOfDialog = inbound.isOutOfDialog();
        if (Request.SUBSCRIBE.equals(method) && request.getHeader(EventHeader.NAME) instanceof EventHeader event
                && event.getEventType() != null && event.getEventType().toLowerCase(java.util.Locale.ROOT).startsWith("presence")) {
            categories.add(PRESENCE_SUBSCRIPTION);
        }
        if (Request.REFER.equals(method) && outOfDialog) {
            categories.add(OUT_OF_DIALOG_REFER);
        }
        if (Request.NOTIFY.equals(method) && outOfDialog) {
            categories.add(UNSOLICITED_NOTIFICATION);
        }
        if (request.getHeader("Replaces") != null || Request.REFER.equals(method) && refersWithReplaces(request)) {
            categories.add(REPLACES);
        }
        return categories;
    }

    private static boolean refersWithReplaces(Request refer) {
        if (refer.getHeader(javax.sip.header.ReferToHeader.NAME) instanceof javax.sip.header.ReferToHeader referTo
                && referTo.getAddress().getURI() instanceof javax.sip.address.SipURI uri) {
            java.util.Iterator<?> names = uri.getHeaderNames();
            while (names != null && names.hasNext()) {
                if ("Replaces".equalsIgnoreCase((String) names.next())) {
                    return true;
                }
            }
        }
        return false;
    }
}
