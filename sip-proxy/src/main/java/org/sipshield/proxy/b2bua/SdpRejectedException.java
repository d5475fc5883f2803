package org.sipshield.proxy.b2bua;

/**
 * The SDP step refuses an offer or answer: the B2BUA answers the request with this status (488
 * Not Acceptable Here when a leg's profile requires SRTP and its peer offers no acceptable suite,
 * 503 when no media ports are left) instead of forwarding it.
 */
public final class SdpRejectedException extends RuntimeException {
    private final int status;

    public SdpRejectedException(int status, String reason) {
        super(reason);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Why, as logged and sent in the reason phrase. Never carries key material. */
    public String reason() {
        return getMessage();
    }
}
