package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.ListIterator;
import java.util.function.Supplier;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.SipException;
import javax.sip.header.AllowHeader;
import javax.sip.header.Header;
import javax.sip.message.Message;
import javax.sip.message.Request;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.MediaSettings;
import org.sipshield.config.SecureCallIconDisplayPolicy;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call security status as the reference's SIP line messaging tells it ({@code Call-Info:
 * <urn:X-cisco-remotecc:callinfo>;security=...}): to phones and voicemail ports, and to trunks
 * whose profile transmits it; each leg's peer learns a change once. Also the Encrypted phone's
 * fallback (media.encryptedPhoneFallback) when the other leg cannot do SRTP.
 */
final class SecurityStatus {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityStatus.class);
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");

    private final SipMessaging sip;
    private final Supplier<SecurityModel> model;
    private final CallRegistry registry;
    private final LegRequests legRequests;

    SecurityStatus(SipMessaging sip, Supplier<SecurityModel> model, CallRegistry registry, LegRequests legRequests) {
        this.sip = sip;
        this.model = model;
        this.registry = registry;
        this.legRequests = legRequests;
    }

    SecureCallIconDisplayPolicy policy() {
        return model.get().config().enterpriseParameters().secureCallIconDisplayPolicy();
    }

    LegSecurity of(Call call) {
        return call.security(policy());
    }

    /** The header for a status. */
    Header header(LegSecurity security) throws ParseException {
        return sip.headers.createHeader("Call-Info", "<urn:X-cisco-remotecc:callinfo>;security=" + security.label());
    }

    /** Phones and voicemail ports are told the call's security status; a trunk when its profile transmits it. */
    static boolean wanted(Call call, Call.Side side) {
        Peer peer = call.peer(side);
        return peer instanceof Peer.Device || peer instanceof Peer.Trunk trunk && trunk.profile().transmitSecurityStatus();
    }

    /** Adds the call's status to a message going to one leg's peer (a 2xx it will read), when that peer wants it. */
    void tell(Call call, Call.Side side, Message message) throws ParseException {
        if (wanted(call, side)) {
            LegSecurity status = of(call);
            message.addHeader(header(status));
            call.told(side, status);
        }
    }

    /**
     * Tells one leg's peer the call's security status when it differs from what it was last told:
     * in an UPDATE without a body (RFC 3311), sent once the leg's dialog is confirmed and no ACK is
     * owed (an ACK cannot carry it). A peer that does not Allow UPDATE learns it with the next
     * re-INVITE or UPDATE it sends or answers.
     */
    void announce(Call call, Call.Side side) {
        if (!call.isConfirmed() || call.owedAck != null || !wanted(call, side) || !call.updateAllowed(side)) {
            return;
        }
        LegSecurity status = of(call);
        Dialog dialog = call.dialog(side);
        if (status == call.told(side) || dialog == null || dialog.getState() != javax.sip.DialogState.CONFIRMED) {
            return;
        }
        try {
            Request update = legRequests.inDialog(dialog, Request.UPDATE, call.provider(side));
            update.addHeader(header(status));
            ClientTransaction transaction = call.provider(side).getNewClientTransaction(update);
            registry.relay(transaction, new CallRegistry.Relay(null, call, side));
            dialog.sendRequest(transaction);
            call.told(side, status);
            CALLS.info("{}: told leg {} the call is {}", call, side, status.label());
        } catch (SipException | ParseException e) {
            LOG.debug("{}: UPDATE with the security status on leg {}: {}", call, side, e.getMessage());
        }
    }

    static boolean allowsUpdate(Message message) {
        ListIterator<?> allows = message.getHeaders(AllowHeader.NAME);
        while (allows != null && allows.hasNext()) {
            if (Request.UPDATE.equalsIgnoreCase(((AllowHeader) allows.next()).getMethod())) {
                return true;
            }
        }
        return false;
    }

    /**
     * With media.encryptedPhoneFallback REFUSE, an Encrypted phone's call whose other leg has no
     * SRTP: the far side may not offer it (a trunk without SRTP Allowed), or this SDP (the caller's
     * offer towards an Encrypted phone, or the far end's answer to one) carries none.
     */
    boolean refusesUnencrypted(Call call, byte[] sdpOfOtherLeg) {
        if (model.get().config().media().encryptedPhoneFallback() != MediaSettings.EncryptedPhoneFallback.REFUSE) {
            return false;
        }
        boolean callerEncrypted = isEncryptedPhone(call.caller);
        boolean calleeEncrypted = isEncryptedPhone(call.target.peer());
        if (callerEncrypted == calleeEncrypted) {
            return false; // both (SRTP end to end) or neither
        }
        if (callerEncrypted && !call.target.srtpAllowed()) {
            return true;
        }
        return sdpOfOtherLeg != null && !MediaEncryption.isEncrypted(sdpOfOtherLeg, policy());
    }

    private static boolean isEncryptedPhone(Peer peer) {
        return peer instanceof Peer.Device device && device.profile().deviceSecurityMode() == DeviceSecurityMode.ENCRYPTED;
    }
}
