package org.sipshield.proxy;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * The call the tests of secrets watch: a sipp caller on a digest trunk (127.0.0.2, application
 * user trunk-app) calls 8100 offering SDES SRTP with a fresh key of its own, and a sipp PBX
 * (127.0.0.3) answers with plain RTP. Each instance has its own caller key and PBX port.
 */
public final class DigestSrtpCall {
    public static final String TRUNK = "127.0.0.2";
    public static final String PBX = "127.0.0.3";
    public static final String TRUNK_USER = "trunk-app";
    public static final String TRUNK_PASSWORD = "trunk-secret";

    public final int pbxPort = FreePorts.udpAndTcp();
    /** The trunk user's HA1 as the configuration stores it: a secret, never to be logged or recorded. */
    public final String ha1 = ProxyFixture.md5Ha1(TRUNK_USER, ProxyFixture.TRUNK_REALM, TRUNK_PASSWORD);
    /** The caller's SRTP master key and salt (30 octets, base64), as its a=crypto inline: carries it. */
    public final String callerKey;

    public DigestSrtpCall() {
        byte[] master = new byte[30];
        new SecureRandom().nextBytes(master);
        callerKey = Base64.getEncoder().encodeToString(master);
    }

    /** The proxy's side: the digest trunk of callers with SRTP allowed, and the pbx for numbers starting with 8. */
    public ProxyFixture proxy() {
        return new ProxyFixture()
                .trunkProfile("Digest trunk", "enableDigestAuthentication: true", "enableApplicationLevelAuthorization: true")
                .trunkProfile(ProxyFixture.NON_SECURE_TRUNK_PROFILE)
                .trunk("callers", "Digest trunk", TRUNK, 5060, "srtpAllowed: true")
                .trunk("pbx", ProxyFixture.NON_SECURE_TRUNK_PROFILE, PBX, pbxPort)
                .route("8!", "pbx")
                .applicationUser(TRUNK_USER, TRUNK_PASSWORD);
    }

    /** The PBX answering one call. */
    public Sipp.Server pbx() {
        return Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort);
    }

    /** The caller, started; it hangs up holdMs after the call is up. */
    public Sipp.Server startCaller(RunningProxy proxy, int holdMs) {
        return proxy.startSippCall("uac-call-auth-srtp.xml", callerVariables(holdMs), TRUNK);
    }

    /** The caller's whole call, waited for. */
    public ProcessOutput call(RunningProxy proxy, int holdMs) {
        return proxy.sippCall("uac-call-auth-srtp.xml", callerVariables(holdMs), TRUNK);
    }

    /** The caller's whole call to a proxy on 127.0.0.1:port that this test did not start (the packaged one), waited for. */
    public ProcessOutput callTo(int port, int holdMs) {
        return Sipp.client("uac-call-auth-srtp.xml", callerVariables(holdMs), "udp", TRUNK, "127.0.0.1", port);
    }

    private Map<String, String> callerVariables(int holdMs) {
        return Map.of("caller", "5550100", "called", "8100", "user", TRUNK_USER, "password", TRUNK_PASSWORD,
                "key", callerKey, "holdMs", Integer.toString(holdMs));
    }
}
