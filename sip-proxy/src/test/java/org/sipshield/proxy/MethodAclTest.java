package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * The reference's authorization order with real sipp peers: the trunk's ACL first (403), then
 * digest (407), then the application user's ACL (403). Each of the four request categories is
 * forwarded from a trunk whose profile accepts it and refused from one whose profile does not.
 */
class MethodAclTest {
    static final String OPEN_TRUNK = "127.0.0.2";
    static final String PBX = "127.0.0.3";
    static final String CLOSED_TRUNK = "127.0.0.4";
    static final String APPLICATION_TRUNK = "127.0.0.5";

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int pbxPort = FreePorts.udpAndTcp();

    /** One request of each category the ACLs govern: the method, its headers, and the scenarios that carry it. */
    enum Category {
        PRESENCE_SUBSCRIPTION("SUBSCRIBE", "Event: presence\nExpires: 60\nAccept: application/pidf+xml"),
        OUT_OF_DIALOG_REFER("REFER", "Refer-To: <sip:8999@127.0.0.3>"),
        UNSOLICITED_NOTIFICATION("NOTIFY", "Event: message-summary\nSubscription-State: active"),
        REPLACES_HEADER("INVITE", "Replaces: 12345@192.0.2.1;to-tag=a;from-tag=b");

        final String method;
        final String headers;

        Category(String method, String headers) {
            this.method = method;
            this.headers = headers;
        }

        boolean isCall() {
            return "INVITE".equals(method);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        String[] acceptAll = {"acceptPresenceSubscription: true", "acceptOutOfDialogRefer: true",
                "acceptUnsolicitedNotification: true", "acceptReplacesHeader: true"};
        proxy = new ProxyFixture()
                .trunkProfile("Accepts everything", acceptAll)
                .trunkProfile("Accepts nothing")
                .trunkProfile("Application level authorization", "enableDigestAuthentication: true",
                        "enableApplicationLevelAuthorization: true", acceptAll[0], acceptAll[1], acceptAll[2], acceptAll[3])
                .trunk("open", "Accepts everything", OPEN_TRUNK, 5060)
                .trunk("closed", "Accepts nothing", CLOSED_TRUNK, 5060)
                .trunk("applications", "Application level authorization", APPLICATION_TRUNK, 5060)
                .trunk("pbx", "Accepts everything", PBX, pbxPort)
                .route("8!", "pbx")
                .applicationUser("presence-app", "presence-secret", "acceptPresenceSubscription: true")
                .applicationUser("trusted-app", "trusted-secret", acceptAll)
                .start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @ParameterizedTest
    @EnumSource(value = Category.class, mode = EnumSource.Mode.EXCLUDE, names = "REPLACES_HEADER")
    void aTrunkWhoseProfileAcceptsTheCategoryHasItForwarded(Category category) {
        try (Sipp.Server pbx = Sipp.server(category.isCall() ? "uas-call.xml" : "uas-answer-request.xml",
                Map.of("method", category.method), "udp", PBX, pbxPort)) {
            ProcessOutput request = send(category, OPEN_TRUNK, "200", null);
            ProcessOutput far = pbx.finish();
            assertEquals(0, request.exitCode(), request.output() + "\npbx:\n" + far.output());
            assertEquals(0, far.exitCode(), far.output());
            assertTrue(far.output().contains(category.method + " sip:8"), far.output());
        }
    }

    /**
     * Past the ACL, a Replaces is the B2BUA's: one naming no dialog of ours gets 481 (RFC 3891), where
     * the closed trunk gets 403. A Replaces that names a real call crosses in TransferCallTest.
     */
    @Test
    void aReplacesTheProfileAcceptsReachesTheB2buaWhichKnowsNoSuchDialog() {
        ProcessOutput request = Sipp.client("uac-invite-expect.xml", Map.of("caller", "5550100", "called", "8300",
                "answer", "481", "headers", Category.REPLACES_HEADER.headers), "udp", OPEN_TRUNK, "127.0.0.1", proxy.sipPort);
        assertEquals(0, request.exitCode(), request.output());
    }

    @ParameterizedTest
    @EnumSource(Category.class)
    void aTrunkWhoseProfileDoesNotAcceptTheCategoryGets403(Category category) {
        ProcessOutput request = send(category, CLOSED_TRUNK, "403", null);
        assertEquals(0, request.exitCode(), request.output());
    }

    @ParameterizedTest
    @CsvSource({
        "PRESENCE_SUBSCRIPTION, presence-app, 200",
        "OUT_OF_DIALOG_REFER, presence-app, 403",
        "UNSOLICITED_NOTIFICATION, presence-app, 403",
        "OUT_OF_DIALOG_REFER, trusted-app, 200",
        "UNSOLICITED_NOTIFICATION, trusted-app, 200",
    })
    void theApplicationUserAclAppliesAfterDigestOnTrunksThatEnableIt(Category category, String user, String expect) {
        try (Sipp.Server pbx = "200".equals(expect) ? Sipp.server("uas-answer-request.xml",
                Map.of("method", category.method), "udp", PBX, pbxPort) : null) {
            ProcessOutput request = send(category, APPLICATION_TRUNK, expect, user);
            assertEquals(0, request.exitCode(), request.output());
            if (pbx != null) {
                ProcessOutput far = pbx.finish();
                assertEquals(0, far.exitCode(), far.output());
            }
        }
    }

    private static ProcessOutput send(Category category, String fromTrunk, String expect, String user) {
        Map<String, String> variables = new HashMap<>(Map.of("method", category.method, "caller", "5550100",
                "called", "8" + category.ordinal() + "00", "expect", expect, "headers", category.headers));
        if (user != null) {
            variables.put("user", user);
            variables.put("password", user.startsWith("presence") ? "presence-secret" : "trusted-secret");
            return Sipp.client("uac-request-auth.xml", variables, "udp", fromTrunk, "127.0.0.1", proxy.sipPort);
        }
        if (category.isCall() && "200".equals(expect)) {
            return Sipp.client("uac-call.xml", variables, "udp", fromTrunk, "127.0.0.1", proxy.sipPort);
        }
        return Sipp.client("uac-request.xml", variables, "udp", fromTrunk, "127.0.0.1", proxy.sipPort);
    }
}
