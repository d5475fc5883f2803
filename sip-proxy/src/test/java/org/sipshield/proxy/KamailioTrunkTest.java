package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.Kamailio;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * kamailio as a carrier that challenges every INVITE (407): a call from a sipp phone through
 * sipshield completes because sipshield answers the challenge with the SIP Realm credentials
 * configured for that trunk, and a trunk without credentials gets no second try.
 */
class KamailioTrunkTest {
    static final String KAMAILIO = "127.0.0.6";
    static final String FAR_END = "127.0.0.3";

    @TempDir
    Path dataDirectory;

    static String ha1(String user, String realm, String password) {
        return DigestChecksum.compute(DigestAlgorithm.MD5, user, realm, password.toCharArray()).toStoredForm().substring(4);
    }

    @Test
    void sipshieldAnswersTheCarriersChallengeAndTheCallCompletes() throws Exception {
        int kamailioPort = FreePorts.udpAndTcp();
        int farEndPort = FreePorts.udpAndTcp();
        int phonePort = FreePorts.udpAndTcp();
        String model = """
                sipTrunkSecurityProfiles:
                  - {name: carrier profile, incomingPort: ${sipPort}, outgoingTransportType: UDP}
                sipTrunks:
                  - {name: carrier, securityProfile: carrier profile, destinations: ["%s:%d"]}
                  - {name: no-credentials, securityProfile: carrier profile, destinations: ["%s:%d"]}
                routePatterns:
                  - {pattern: "9!", trunk: carrier}
                  - {pattern: "6!", trunk: no-credentials}
                sipRealms:
                  - {realm: carrier.example, trunk: carrier, user: sipshield, digestCredentials: {MD5: %s}}
                phoneSecurityProfiles:
                  - {name: digest phones, enableDigestAuthentication: true}
                endUsers:
                  - {userId: alice, digestCredentials: {MD5: %s}}
                phones:
                  - {deviceName: SEPALICE00001, securityProfile: digest phones, digestUser: alice, lines: ["2001"]}
                """.formatted(KAMAILIO, kamailioPort, KAMAILIO, kamailioPort,
                ha1("sipshield", "carrier.example", "trunk-secret"), ha1("alice", "ccmsipline", "alice-secret"));
        Map<String, String> carrier = Map.of("realm", "carrier.example", "password", "trunk-secret", "user", "sipshield",
                "relay", FAR_END + ":" + farEndPort);
        try (RunningProxy proxy = new RunningProxy(dataDirectory, model);
                Kamailio kamailio = Kamailio.start("challenging-trunk.cfg", carrier, KAMAILIO, kamailioPort)) {
            ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice",
                    "password", "alice-secret", "contact", "sip:2001@127.0.0.1:" + phonePort, "expect", "200"),
                    "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
            assertEquals(0, register.exitCode(), register.output());

            try (Sipp.Server farEnd = Sipp.server("uas-call.xml", Map.of(), "udp", FAR_END, farEndPort)) {
                ProcessOutput call = Sipp.client("uac-call-auth.xml", Map.of("caller", "2001", "called", "9123",
                        "user", "alice", "password", "alice-secret"), "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort,
                        "-p", Integer.toString(phonePort));
                ProcessOutput legB = farEnd.finish();
                assertEquals(0, call.exitCode(), call.output() + "\nkamailio:\n" + kamailio.log() + "\nfar end:\n" + legB.output());
                assertEquals(0, legB.exitCode(), legB.output());
            }
            assertTrue(kamailio.log().contains("authenticated INVITE"), kamailio.log());

            // No SIP Realm for this trunk: the 407 is not answered, the caller is refused, and no loop.
            ProcessOutput refused = Sipp.client("uac-request-auth.xml", Map.of("method", "INVITE", "caller", "2001",
                    "called", "6123", "expect", "403", "user", "alice", "password", "alice-secret"),
                    "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
            assertEquals(0, refused.exitCode(), refused.output() + "\nkamailio:\n" + kamailio.log());
            assertEquals(2, kamailio.log().split("challenging INVITE", -1).length - 1,
                    "one challenge per call, never a second try:\n" + kamailio.log());
        }
    }
}
