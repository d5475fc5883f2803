package org.sipshield.proxy;

/** Configuration blocks many tests share. */
public final class TrunkFixtures {
    private TrunkFixtures() {}

    /**
     * Two non-secure UDP trunks on the proxy's SIP port: "carrier" and "pbx"; numbers starting
     * with 8 are routed to the pbx.
     */
    public static String carrierAndPbx(String carrier, int carrierPort, String pbx, int pbxPort) {
        return """
                sipTrunkSecurityProfiles:
                  - name: Non Secure SIP Trunk Profile
                    deviceSecurityMode: Non Secure
                    incomingTransportType: TCP+UDP
                    outgoingTransportType: UDP
                    incomingPort: ${sipPort}
                sipTrunks:
                  - name: carrier
                    securityProfile: Non Secure SIP Trunk Profile
                    destinations: ["%s:%d"]
                  - name: pbx
                    securityProfile: Non Secure SIP Trunk Profile
                    destinations: ["%s:%d"]
                routePatterns:
                  - {pattern: "8!", trunk: pbx}
                """.formatted(carrier, carrierPort, pbx, pbxPort);
    }
}
