package org.sipshield.config;

import java.util.List;

/**
 * A SIP trunk: a peer (carrier, another PBX, a voicemail or application server) reached at its
 * destinations in order, and recognised by their addresses when it sends to us.
 *
 * @param srtpAllowed    SRTP keys may be exchanged on this trunk (SDES puts them in the SDP, so
 *                       they cross the network in clear unless the profile is ENCRYPTED over TLS)
 * @param inboundCalledNumbers route patterns the trunk may call in to; empty means any number
 * @param limits         call duration and admission limits of the trunk as a whole
 * @param identity       which identity and redirection headers the trunk is trusted with
 * @param optionsPingIntervalSeconds how often each destination is pinged with OPTIONS; 0: never
 *                       (every destination then counts as up)
 */
public record SipTrunk(String name, String securityProfile, List<Destination> destinations,
        boolean srtpAllowed, List<String> inboundCalledNumbers, CallLimits limits, TrunkIdentity identity,
        int optionsPingIntervalSeconds) {
    /** The OPTIONS ping interval of a trunk that sets none (and of sipTrunkDefaults that sets none). */
    public static final int DEFAULT_OPTIONS_PING_INTERVAL = 60;

    public SipTrunk {
        destinations = List.copyOf(destinations);
        inboundCalledNumbers = List.copyOf(inboundCalledNumbers);
    }

    /** A trunk pinged at the default interval. */
    public SipTrunk(String name, String securityProfile, List<Destination> destinations, boolean srtpAllowed,
            List<String> inboundCalledNumbers, CallLimits limits, TrunkIdentity identity) {
        this(name, securityProfile, destinations, srtpAllowed, inboundCalledNumbers, limits, identity,
                DEFAULT_OPTIONS_PING_INTERVAL);
    }

    /** A trunk with the default identity trust. */
    public SipTrunk(String name, String securityProfile, List<Destination> destinations, boolean srtpAllowed,
            List<String> inboundCalledNumbers, CallLimits limits) {
        this(name, securityProfile, destinations, srtpAllowed, inboundCalledNumbers, limits, TrunkIdentity.DEFAULT);
    }

    /** A trunk without call limits. */
    public SipTrunk(String name, String securityProfile, List<Destination> destinations, boolean srtpAllowed,
            List<String> inboundCalledNumbers) {
        this(name, securityProfile, destinations, srtpAllowed, inboundCalledNumbers, CallLimits.NONE);
    }
}
