package org.sipshield.config;

/**
 * What a trunk is trusted with in identity and redirection headers. The reference's trunk page
 * has no such settings; the names follow the ones carrier-facing call control uses for them.
 *
 * @param assertedIdentity  the trunk is in our trust domain (RFC 3325): its P-Asserted-Identity and
 *                          Privacy are believed, and it is sent P-Asserted-Identity even under Privacy: id
 * @param redirectingDiversionHeaderDeliveryInbound  Diversion and History-Info from this trunk cross to the other leg
 * @param redirectingDiversionHeaderDeliveryOutbound Diversion and History-Info cross to this trunk
 */
public record TrunkIdentity(boolean assertedIdentity, boolean redirectingDiversionHeaderDeliveryInbound,
        boolean redirectingDiversionHeaderDeliveryOutbound) {
    /** Untrusted for identity; redirection crosses both ways (a voicemail server needs it to pick the mailbox). */
    public static final TrunkIdentity DEFAULT = new TrunkIdentity(false, true, true);

    static TrunkIdentity read(YamlMapping m) {
        return new TrunkIdentity(m.bool("assertedIdentity", DEFAULT.assertedIdentity),
                m.bool("redirectingDiversionHeaderDeliveryInbound", DEFAULT.redirectingDiversionHeaderDeliveryInbound),
                m.bool("redirectingDiversionHeaderDeliveryOutbound", DEFAULT.redirectingDiversionHeaderDeliveryOutbound));
    }
}
