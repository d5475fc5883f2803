package org.sipshield.proxy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.digest.DigestClient;
import org.sipshield.digest.SipRealmCredentials;
import org.sipshield.proxy.peers.FreePorts;

/**
 * The one way the sip-proxy tests describe and start a proxy: trunks, routes, phones and their
 * users as calls, the rest of the configuration as YAML, then {@link #start}. What it builds is
 * the configuration text a site would write (${sipPort} and ${tlsPort} stand for the listeners'
 * ports), so a test reads as the operator's file it runs on.
 */
public final class ProxyFixture {
    public static final String NON_SECURE_TRUNK_PROFILE = "Non Secure SIP Trunk Profile";
    /** The phone user most tests register and call with: line 2001, device SEPALICE00001, realm ccmsipline. */
    public static final String ALICE = "alice";
    public static final String ALICE_PASSWORD = "alice-secret";
    public static final String ALICE_LINE = "2001";
    public static final String PHONE_REALM = "ccmsipline";
    /** The SIP Realm the proxy challenges trunks in (the default cluster name). */
    public static final String TRUNK_REALM = "StandAloneCluster";

    private final List<String> yaml = new ArrayList<>();
    private final List<String> trunkProfiles = new ArrayList<>();
    private final List<String> trunks = new ArrayList<>();
    private final List<String> routes = new ArrayList<>();
    private final List<String> phoneProfiles = new ArrayList<>();
    private final List<String> endUsers = new ArrayList<>();
    private final List<String> applicationUsers = new ArrayList<>();
    private final List<String> phones = new ArrayList<>();
    private String serverKeys = "";
    private Clock clock = Clock.systemUTC();
    private int managementPort;

    /** Further top-level sections (security, media, sessionTimers, tls, ...), as YAML text. */
    public ProxyFixture yaml(String sections) {
        yaml.add(sections.endsWith("\n") ? sections : sections + "\n");
        return this;
    }

    /** Further keys of the server section ("key: value" lines), e.g. a short drain or a node name. */
    public ProxyFixture serverKeys(String keys) {
        serverKeys = keys;
        return this;
    }

    /** A clock the test moves (nonce validity, brute-force windows, registration expiry). */
    public ProxyFixture clock(Clock testClock) {
        clock = testClock;
        return this;
    }

    /** The HTTPS management interface on a free port ({@link RunningProxy#managementPort}), with these further keys. */
    public ProxyFixture management(String... keys) {
        managementPort = FreePorts.udpAndTcp();
        List<String> all = new ArrayList<>(List.of(keys));
        all.add("port: " + managementPort);
        return yaml("management: {" + String.join(", ", all) + "}\n");
    }

    /** A trunk security profile on the proxy's SIP port, with further keys; it sends over UDP unless they say otherwise. */
    public ProxyFixture trunkProfile(String name, String... keys) {
        String head = "  - name: " + name + "\n    incomingPort: ${sipPort}\n";
        if (List.of(keys).stream().noneMatch(key -> key.startsWith("outgoingTransportType:"))) {
            head += "    outgoingTransportType: UDP\n";
        }
        trunkProfiles.add(item(head, keys));
        return this;
    }

    /** A trunk at address:port under a profile, with further keys (maxCallDuration: 2, srtpAllowed: true, ...). */
    public ProxyFixture trunk(String name, String profile, String address, int port, String... keys) {
        return trunk(name, profile, List.of(address + ":" + port), keys);
    }

    /** A trunk with destinations ("host:port", tried in order) under a profile, with further keys. */
    public ProxyFixture trunk(String name, String profile, List<String> destinations, String... keys) {
        trunks.add(item("  - name: " + name + "\n    securityProfile: " + profile + "\n"
                + "    destinations: [\"" + String.join("\", \"", destinations) + "\"]\n", keys));
        return this;
    }

    /** A Non Secure UDP trunk (the profile is declared with the first of them). */
    public ProxyFixture nonSecureTrunk(String name, String address, int port, String... keys) {
        if (trunkProfiles.stream().noneMatch(p -> p.startsWith("  - name: " + NON_SECURE_TRUNK_PROFILE + "\n"))) {
            trunkProfile(NON_SECURE_TRUNK_PROFILE, "deviceSecurityMode: Non Secure", "incomingTransportType: TCP+UDP");
        }
        return trunk(name, NON_SECURE_TRUNK_PROFILE, address, port, keys);
    }

    public ProxyFixture route(String pattern, String trunk) {
        routes.add("  - {pattern: \"" + pattern + "\", trunk: " + trunk + "}\n");
        return this;
    }

    /** Two Non Secure UDP trunks, "carrier" and "pbx"; numbers starting with 8 are routed to the pbx. */
    public ProxyFixture carrierAndPbx(String carrier, int carrierPort, String pbx, int pbxPort) {
        return nonSecureTrunk("carrier", carrier, carrierPort).nonSecureTrunk("pbx", pbx, pbxPort).route("8!", "pbx");
    }

    /** A phone security profile as a YAML flow mapping, e.g. "{name: digest phones, enableDigestAuthentication: true}". */
    public ProxyFixture phoneProfile(String flowMapping) {
        phoneProfiles.add("  - " + flowMapping + "\n");
        return this;
    }

    /** A phone as a YAML flow mapping, e.g. "{deviceName: SEPBUSY000001, securityProfile: busy, lines: [\"3001\"]}". */
    public ProxyFixture phone(String flowMapping) {
        phones.add("  - " + flowMapping + "\n");
        return this;
    }

    /** An end user (a phone's digest identity) with the MD5 HA1 of password in realm. */
    public ProxyFixture endUser(String userId, String realm, String password) {
        endUsers.add("  - {userId: " + userId + ", digestCredentials: {MD5: " + md5Ha1(userId, realm, password) + "}}\n");
        return this;
    }

    /** Alice (an end user with her MD5 HA1) and her phone on line 2001 under the given phone profile. */
    public ProxyFixture alicePhone(String profile) {
        endUser(ALICE, PHONE_REALM, ALICE_PASSWORD);
        phones.add("  - {deviceName: SEPALICE00001, securityProfile: " + profile + ", digestUser: " + ALICE
                + ", lines: [\"" + ALICE_LINE + "\"]}\n");
        return this;
    }

    /** An application user (a trunk's digest identity) with the MD5 HA1 of password in the trunks' realm, and further keys. */
    public ProxyFixture applicationUser(String userId, String password, String... keys) {
        applicationUsers.add(item("  - userId: " + userId + "\n    digestCredentials: {MD5: "
                + md5Ha1(userId, TRUNK_REALM, password) + "}\n", keys));
        return this;
    }

    /** A list item of a block sequence: its head lines, then one line per further key. */
    private static String item(String head, String... keys) {
        StringBuilder item = new StringBuilder(head);
        for (String key : keys) {
            item.append("    ").append(key).append('\n');
        }
        return item.toString();
    }

    /** The stored form of an MD5 HA1 without its "MD5:" prefix, as the configuration file holds it. */
    public static String md5Ha1(String user, String realm, String password) {
        return DigestChecksum.compute(DigestAlgorithm.MD5, user, realm, password.toCharArray()).toStoredForm().substring(4);
    }

    /** A digest client answering as Alice's phone, with her password. */
    public static DigestClient aliceDigestClient() {
        return new DigestClient(realm -> Optional.of(new SipRealmCredentials(realm, ALICE, ALICE_PASSWORD.toCharArray())),
                new SecureRandom());
    }

    /** The configuration below the server and listeners sections (what {@link RunningProxy#yaml} completes). */
    public String extraYaml() {
        StringBuilder text = new StringBuilder();
        yaml.forEach(text::append);
        section(text, "sipTrunkSecurityProfiles", trunkProfiles);
        section(text, "sipTrunks", trunks);
        section(text, "routePatterns", routes);
        section(text, "phoneSecurityProfiles", phoneProfiles);
        section(text, "endUsers", endUsers);
        section(text, "applicationUsers", applicationUsers);
        section(text, "phones", phones);
        return text.toString();
    }

    private void section(StringBuilder text, String name, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        for (String sections : yaml) {
            if (sections.startsWith(name + ":") || sections.contains("\n" + name + ":")) {
                throw new IllegalArgumentException(name + " is built from calls here; not also as YAML text");
            }
        }
        text.append(name).append(":\n");
        items.forEach(text::append);
    }

    /** Starts the proxy on free loopback ports with its data in dataDirectory. */
    public RunningProxy start(Path dataDirectory) throws Exception {
        return new RunningProxy(dataDirectory, serverKeys, extraYaml(), FreePorts.udpAndTcp(), FreePorts.udpAndTcp(),
                clock, managementPort);
    }
}
