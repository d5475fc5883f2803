package org.sipshield.proxy.b2bua;

import org.sipshield.proxy.security.Peer;

/**
 * What the B2BUA knows of a request that names one of its dialogs (a To tag, or a CANCEL): the
 * call leg it belongs to and whether it came from that leg's peer.
 */
public sealed interface DialogMatch {
    /** No call of ours has that dialog (or that INVITE, for a CANCEL). */
    record NoCall() implements DialogMatch {}

    /** It came from the leg's peer, which speaks as this peer. */
    record Leg(Peer peer) implements DialogMatch {}

    /** It names a leg of a live call but did not come from that leg's peer. */
    record Stranger(Peer legPeer, String reason) implements DialogMatch {}
}
