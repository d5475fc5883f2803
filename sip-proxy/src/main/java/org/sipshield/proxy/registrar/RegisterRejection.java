package org.sipshield.proxy.registrar;

import javax.sip.message.Response;

/** Why a REGISTER is refused: the status and reason phrase of the final response. */
final class RegisterRejection extends Exception {
    private final int statusCode;

    RegisterRejection(int statusCode, String reasonPhrase) {
        super(reasonPhrase, null, false, false);
        this.statusCode = statusCode;
    }

    static RegisterRejection badRequest(String reasonPhrase) {
        return new RegisterRejection(Response.BAD_REQUEST, reasonPhrase);
    }

    int statusCode() {
        return statusCode;
    }

    String reasonPhrase() {
        return getMessage();
    }
}
