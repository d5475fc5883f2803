package org.sipshield.proxy.registrar;

/** The registration database could not be read or written; the registrar answers 503 with Retry-After then. */
public final class RegistrationStoreException extends RuntimeException {
    public RegistrationStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
