package org.sipshield.proxy.screening;

/**
 * Why a received message is refused: answered with status and reason when the request can be
 * answered at all, otherwise dropped. Reasons are fixed texts of ours, never bytes of the message.
 */
public record Rejection(int status, String reason) {
    static Rejection badRequest(String what) {
        return new Rejection(400, "Bad Request (" + what + ")");
    }

    /** Not a SIP request anybody could match an answer to: silence. */
    static Rejection drop(String what) {
        return new Rejection(0, what);
    }

    public boolean isDrop() {
        return status == 0;
    }
}
