package org.sipshield.srtp;

import java.util.Optional;

/**
 * The outcome of a successful SDES negotiation for one media stream of one leg: the suite, our key
 * (what we send, {@link SrtpDirection#OUTBOUND}) and the peer's key (what we receive,
 * {@link SrtpDirection#INBOUND}). Open the two sessions with {@link #openOutbound} and
 * {@link #openInbound}; each session then owns and finally destroys its key.
 */
public final class SdesSelection {
    private final int tag;
    private final SdesKeyParam local;
    private final SdesKeyParam remote;
    private final SrtpSessionOptions baseOptions;

    SdesSelection(int tag, SdesKeyParam local, SdesKeyParam remote, SrtpSessionOptions baseOptions) {
        this.tag = tag;
        this.local = local;
        this.remote = remote;
        this.baseOptions = baseOptions;
    }

    public CryptoSuite suite() {
        return local.key().suite();
    }

    public int tag() {
        return tag;
    }

    /** The MKI the peer puts in its packets, if any. */
    public Optional<Mki> remoteMki() {
        return remote.mki();
    }

    public SrtpSession openOutbound(SrtpEngine engine) {
        SrtpSessionOptions o = local.mki().map(baseOptions::withMki).orElse(baseOptions);
        return SrtpSession.open(engine, SrtpDirection.OUTBOUND, local.key(), o);
    }

    public SrtpSession openInbound(SrtpEngine engine) {
        SrtpSessionOptions o = remote.mki().map(baseOptions::withMki).orElse(baseOptions);
        return SrtpSession.open(engine, SrtpDirection.INBOUND, remote.key(), o);
    }

    /** Destroys both keys (when the sessions will not be opened after all). */
    public void discard() {
        local.key().destroy();
        remote.key().destroy();
    }

    @Override
    public String toString() {
        return "SdesSelection[tag " + tag + ", " + suite() + ", keys redacted]";
    }
}
