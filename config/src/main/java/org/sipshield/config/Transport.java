package org.sipshield.config;

/** SIP transports a listener can serve. */
public enum Transport {
    UDP, TCP, TLS;

    public boolean isStream() {
        return this != UDP;
    }
}
