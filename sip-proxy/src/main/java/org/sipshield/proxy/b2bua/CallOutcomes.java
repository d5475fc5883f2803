package org.sipshield.proxy.b2bua;

/**
 * What the metrics learn of each call once: the caller got its final answer (200 when answered, or
 * the failure the call ended with). Called on a SIP thread under the call's monitor: count, no I/O.
 */
@FunctionalInterface
public interface CallOutcomes {
    /**
     * @param trunkIn     the trunk the call came from, null for a phone or voicemail port
     * @param trunkOut    the trunk it was routed to, null for a device
     * @param setupNanos  from the caller's INVITE to this final answer
     */
    void decided(int status, String trunkIn, String trunkOut, long setupNanos);

    /** Active calls of one trunk in one direction (in: from the trunk, out: to it), read at scrape. */
    record TrunkCalls(String trunk, String direction, int active) {}
}
