package org.sipshield.proxy.registrar;

import javax.sip.address.SipURI;

/**
 * One Contact of a REGISTER, validated.
 *
 * @param expiresParameter the Contact's own expires parameter in seconds, or -1 when it has none
 */
record RequestedContact(SipURI uri, String uriText, String instanceId, long expiresParameter) {}
