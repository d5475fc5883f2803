package org.sipshield.proxy.b2bua;

/** The routing answer for a called number: a target, or the SIP status that says why there is none. */
public sealed interface Routing permits Target, Routing.NoRoute {
    record NoRoute(int status, String reason) implements Routing {}
}
