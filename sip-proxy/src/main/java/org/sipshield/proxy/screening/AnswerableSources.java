package org.sipshield.proxy.screening;

import java.net.InetAddress;
import org.sipshield.config.Transport;

/**
 * Whom screening may answer at all. Under security.unknownSource DROP the proxy is silent to
 * sources it does not know, and a 400 to a malformed probe would give it away as surely as a
 * 403: so only a source that classifies (a trunk candidate for the listening port, transport and
 * address, or the socket address a device registered from) hears why its request was refused.
 * Asked only for requests that are refused; it looks things up and parses nothing.
 */
@FunctionalInterface
public interface AnswerableSources {
    AnswerableSources EVERYONE = (localPort, transport, address, port) -> true;

    boolean mayAnswer(int localPort, Transport transport, InetAddress address, int port);
}
