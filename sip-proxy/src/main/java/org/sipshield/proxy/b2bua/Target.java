package org.sipshield.proxy.b2bua;

import java.util.List;
import org.sipshield.proxy.security.Peer;

/**
 * Where a call or request goes: the peer on the far side (a trunk or a registered device) and
 * the hops to try in order (a trunk's destinations; a device's registered contact).
 *
 * @param srtpAllowed SRTP keys may be offered on this leg (trunk: SRTP Allowed; phone: ENCRYPTED)
 */
public record Target(Peer peer, List<Hop> hops, boolean srtpAllowed, boolean tls, boolean transmitSecurityStatus)
        implements Routing {
    public Target {
        hops = List.copyOf(hops);
    }
}
