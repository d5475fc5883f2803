package org.sipshield.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.pipeline.StepFixture.arriving;
import static org.sipshield.proxy.pipeline.StepFixture.text;

import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sipshield.config.Transport;
import org.sipshield.digest.BruteForceGuard;
import org.sipshield.digest.BruteForcePolicy;
import org.sipshield.digest.DigestAnswer;
import org.sipshield.digest.DigestClient;
import org.sipshield.digest.DigestHeaderKind;
import org.sipshield.digest.SipRealmCredentials;
import org.sipshield.proxy.security.SecurityModel;

/** The steps after classification that judge who may do what: the trunk ACL, digest, the application user's ACL. */
class AuthorizationStepsTest {
    static String yaml(String inDialog) {
        return """
                security:
                  challengeInDialog: %s
                sipTrunkSecurityProfiles:
                  - {name: Closed, incomingPort: 5060, outgoingTransportType: UDP}
                  - name: Applications
                    incomingPort: 5060
                    outgoingTransportType: UDP
                    enableDigestAuthentication: true
                    enableApplicationLevelAuthorization: true
                    acceptPresenceSubscription: true
                    acceptOutOfDialogRefer: true
                sipTrunks:
                  - {name: closed, securityProfile: Closed, destinations: ["127.0.0.4:5060"]}
                  - {name: applications, securityProfile: Applications, destinations: ["127.0.0.5:5060"]}
                applicationUsers:
                  - userId: presence-app
                    digestCredentials: {MD5: %s}
                    acceptPresenceSubscription: true
                phoneSecurityProfiles:
                  - {name: Digest phones, transportType: TCP+UDP, enableDigestAuthentication: true}
                endUsers:
                  - userId: alice
                    digestCredentials: {MD5: %s}
                phones:
                  - {deviceName: SEPALICE00001, securityProfile: Digest phones, digestUser: alice, lines: ["2001"]}
                """.formatted(inDialog, StepFixture.ha1("presence-app", "StandAloneCluster", "presence-secret"),
                StepFixture.ha1("alice", "ccmsipline", "alice-secret"));
    }

    static InboundRequest classified(SecurityModel model, String text, String sourceIp) throws Exception {
        InboundRequest request = arriving(text, Transport.UDP, sourceIp);
        Verdict known = new ClassifySource(() -> model, (device, source) -> true,
                new org.sipshield.tls.CertificateChainValidator(List::of, StepFixture.CLOCK)).apply(request);
        assertTrue(known.proceeds(), known.toString());
        return request;
    }

    static DigestAuthentication digest(SecurityModel model) {
        return new DigestAuthentication(() -> model, new BruteForceGuard(BruteForcePolicy.builder().build(), StepFixture.CLOCK));
    }

    @Test
    void aTrunkWhoseProfileRefusesOutOfDialogReferGets403() throws Exception {
        SecurityModel model = StepFixture.model(yaml("[BYE]"));
        String refer = text("REFER", "sip:8100@127.0.0.1", "pbx", null, "Refer-To: <sip:8200@127.0.0.1>\r\n");
        assertEquals(403, new TrunkMethodAcl().apply(classified(model, refer, "127.0.0.4")).status());
        assertTrue(new TrunkMethodAcl().apply(classified(model, refer, "127.0.0.5")).proceeds());
        assertTrue(new TrunkMethodAcl().apply(classified(model, text("INVITE", "sip:8100@127.0.0.1", "pbx", null, ""),
                "127.0.0.4")).proceeds());
    }

    @Test
    void aDigestPhoneIsChallengedOutOfDialogAndInItForTheListedMethodsAndPassesWithItsCredentials() throws Exception {
        SecurityModel model = StepFixture.model(yaml("[BYE]"));
        DigestAuthentication digest = digest(model);
        Verdict invite = digest.apply(classified(model, text("INVITE", "sip:8100@127.0.0.1", "2001", null, ""), "192.0.2.7"));
        assertEquals(407, invite.status());
        assertEquals(401, digest.apply(classified(model, text("REGISTER", "sip:127.0.0.1", "2001", null, "")
                .replace("To: <sip:8100@127.0.0.1>", "To: <sip:2001@127.0.0.1>"), "192.0.2.7")).status());
        assertEquals(407, digest.apply(classified(model, text("BYE", "sip:8100@127.0.0.1", "2001", "t1", ""), "192.0.2.7"))
                .status(), "BYE is listed in challengeInDialog");
        assertTrue(digest.apply(classified(model, text("INFO", "sip:8100@127.0.0.1", "2001", "t1", ""), "192.0.2.7"))
                .proceeds(), "INFO is not");
        assertTrue(digest.apply(classified(model, text("ACK", "sip:8100@127.0.0.1", "2001", "t1", ""), "192.0.2.7"))
                .proceeds(), "ACK never is");

        String challenge = invite.headers().get(0).getValue();
        DigestAnswer answer = new DigestClient(realm -> Optional.of(new SipRealmCredentials(realm, "alice",
                "alice-secret".toCharArray())), new SecureRandom())
                .answer(DigestHeaderKind.PROXY_AUTHENTICATE, List.of(challenge), "INVITE", "sip:8100@127.0.0.1");
        InboundRequest authorized = classified(model, text("INVITE", "sip:8100@127.0.0.1", "2001", null,
                "Proxy-Authorization: " + answer.headerValue().orElseThrow() + "\r\n"), "192.0.2.7");
        assertTrue(digest.apply(authorized).proceeds());
        assertEquals("alice", authorized.authenticatedUser());
    }

    @Test
    void anApplicationUserMayOnlyWhatItsOwnFlagsAllow() throws Exception {
        SecurityModel model = StepFixture.model(yaml("[BYE]"));
        ApplicationLevelAcl acl = new ApplicationLevelAcl(() -> model);
        InboundRequest subscribe = classified(model, text("SUBSCRIBE", "sip:8100@127.0.0.1", "app", null,
                "Event: presence\r\n"), "127.0.0.5");
        subscribe.authenticatedUser("presence-app");
        assertTrue(acl.apply(subscribe).proceeds());
        InboundRequest refer = classified(model, text("REFER", "sip:8100@127.0.0.1", "app", null,
                "Refer-To: <sip:8200@127.0.0.1>\r\n"), "127.0.0.5");
        refer.authenticatedUser("presence-app");
        assertEquals(403, acl.apply(refer).status());
    }
}
