package org.sipshield.proxy.registrar;

/** The kinds of device that register with sipshield. */
public enum DeviceKind {
    PHONE, VOICEMAIL_PORT
}
