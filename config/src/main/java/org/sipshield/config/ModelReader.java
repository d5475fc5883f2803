package org.sipshield.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;

/** Reads the security model's sections (profiles, trunks, users, devices) from YAML nodes. */
final class ModelReader {
    static final String DEFAULT_CLUSTER_ID = "StandAloneCluster";
    static final String DEFAULT_SIP_STATION_REALM = "ccmsipline";
    static final int DEFAULT_NONCE_VALIDITY = 600;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9 ._\\-]{1,50}");
    private static final Pattern FORBIDDEN_IN_DESCRIPTION = Pattern.compile("[\"%&\\\\<>]");

    private ModelReader() {}

    static EnterpriseParameters enterpriseParameters(YamlMapping m) {
        String clusterId = m.string("clusterId", DEFAULT_CLUSTER_ID);
        String realm = m.string("sipStationRealm", DEFAULT_SIP_STATION_REALM);
        for (String key : new String[] {"clusterId", "sipStationRealm"}) {
            String value = key.equals("clusterId") ? clusterId : realm;
            if (!value.matches("[A-Za-z0-9._\\-]{1,128}")) {
                m.problem(key, "'" + value + "' cannot be a digest realm", "letters, digits, '.', '_', '-', 1 to 128");
            }
        }
        SecureCallIconDisplayPolicy policy = m.enumValue("secureCallIconDisplayPolicy", SecureCallIconDisplayPolicy.class,
                SecureCallIconDisplayPolicy.ALL_MEDIA_EXCEPT_BFCP_AND_IX, Enum::name);
        m.finish();
        return new EnterpriseParameters(clusterId, realm, policy);
    }

    static SecuritySettings security(YamlMapping m) {
        SecuritySettings.Rejection unknown = m.enumValue("unknownSource", SecuritySettings.Rejection.class,
                SecuritySettings.Rejection.REJECT_403, Enum::name);
        int limit = m.integer("digestFailureLimit", 5, 1, 1000);
        int window = m.integer("digestFailureWindow", 300, 1, 86400);
        int block = m.integer("digestBlockSeconds", 600, 1, 86400);
        SecuritySettings.Rejection blocked = m.enumValue("blockedSource", SecuritySettings.Rejection.class,
                SecuritySettings.Rejection.DROP, Enum::name);
        int rate = m.integer("requestsPerSecondPerSource", SecuritySettings.DEFAULT_REQUESTS_PER_SECOND_PER_SOURCE, 1, 100000);
        int burst = m.integer("requestBurstPerSource", SecuritySettings.DEFAULT_REQUEST_BURST_PER_SOURCE, 1, 1000000);
        SecuritySettings.FloodAction flood = m.enumValue("overRequestLimit", SecuritySettings.FloodAction.class,
                SecuritySettings.FloodAction.DROP, Enum::name);
        int tracked = m.integer("rateLimitedSourcesTracked", SecuritySettings.DEFAULT_RATE_LIMITED_SOURCES_TRACKED, 16, 10000000);
        java.util.Set<String> inDialog = m.has("challengeInDialog") ? new java.util.HashSet<>(m.list("challengeInDialog", element -> {
            String text = element.node() instanceof org.yaml.snakeyaml.nodes.ScalarNode s ? s.getValue().trim() : "";
            if (!SecuritySettings.CHALLENGEABLE_IN_DIALOG.contains(text)) {
                element.problem("'" + text + "' cannot be challenged in a dialog",
                        String.join(", ", new java.util.TreeSet<>(SecuritySettings.CHALLENGEABLE_IN_DIALOG)) + " (ACK and CANCEL never are)");
                return null;
            }
            return text;
        })) : SecuritySettings.DEFAULT_CHALLENGE_IN_DIALOG;
        m.finish();
        return new SecuritySettings(unknown, limit, window, block, blocked, rate, burst, flood, tracked, inDialog);
    }

    static SipTrunkSecurityProfile trunkProfile(YamlMapping m) {
        String name = name(m, "name");
        String description = description(m);
        DeviceSecurityMode mode = m.enumValue("deviceSecurityMode", DeviceSecurityMode.class,
                DeviceSecurityMode.NON_SECURE, DeviceSecurityMode::label);
        TransportType incoming = m.enumValue("incomingTransportType", TransportType.class,
                mode.isSecure() ? TransportType.TLS : TransportType.TCP_UDP, TransportType::label);
        TransportType outgoing = m.enumValue("outgoingTransportType", TransportType.class,
                mode.isSecure() ? TransportType.TLS : TransportType.TCP, TransportType::label);
        if (incoming == TransportType.TCP || incoming == TransportType.UDP) {
            m.problem("incomingTransportType", "'" + incoming.label() + "' is not an incoming choice of a trunk", "TCP+UDP, TLS");
        }
        if (outgoing == TransportType.TCP_UDP) {
            m.problem("outgoingTransportType", "'TCP+UDP' is not an outgoing choice", "TCP, UDP, TLS");
        }
        if (mode.isSecure() && (incoming != TransportType.TLS || outgoing != TransportType.TLS)) {
            m.problem("deviceSecurityMode", mode.label() + " needs TLS as incoming and outgoing transport type",
                    "incomingTransportType: TLS and outgoingTransportType: TLS, or deviceSecurityMode: Non Secure");
        }
        if (!mode.isSecure() && (incoming == TransportType.TLS || outgoing == TransportType.TLS)) {
            m.problem("deviceSecurityMode", "Non Secure trunks use TCP or UDP, not TLS",
                    "deviceSecurityMode: Authenticated or Encrypted for TLS");
        }
        boolean digest = m.bool("enableDigestAuthentication", false);
        int nonceValidity = m.integer("nonceValidityTime", DEFAULT_NONCE_VALIDITY, 30, 86400);
        List<String> subjects = subjectNames(m, "secureCertificateSubjectOrSubjectAlternateName");
        if (!subjects.isEmpty() && incoming != TransportType.TLS) {
            m.problem("secureCertificateSubjectOrSubjectAlternateName", "applies only to TLS trunks", "empty for TCP+UDP");
        }
        // A TLS trunk is recognised by its certificate names alone: without one it could match no
        // peer, and every TLS request on its port (phones' too) used to fail with 500 at run time.
        if (subjects.isEmpty() && incoming == TransportType.TLS) {
            m.problem("secureCertificateSubjectOrSubjectAlternateName",
                    "is empty, but a TLS trunk is recognised only by the names in its peer's certificate",
                    "the certificate subject CN or subject alternative names of the trunk's peers");
        }
        int port = m.integer("incomingPort", incoming == TransportType.TLS ? 5061 : 5060, 0, 65535);
        boolean appLevel = m.bool("enableApplicationLevelAuthorization", false);
        if (appLevel && !digest) {
            m.problem("enableApplicationLevelAuthorization", "needs enableDigestAuthentication: true",
                    "enableDigestAuthentication: true, or enableApplicationLevelAuthorization: false");
        }
        SipTrunkSecurityProfile profile = new SipTrunkSecurityProfile(name, description, mode, incoming, outgoing,
                digest, nonceValidity, subjects, port, appLevel,
                m.bool("acceptPresenceSubscription", false), m.bool("acceptOutOfDialogRefer", false),
                m.bool("acceptUnsolicitedNotification", false), m.bool("acceptReplacesHeader", false),
                m.bool("transmitSecurityStatus", false), digestOptions(m));
        m.finish();
        return profile;
    }

    static PhoneSecurityProfile phoneProfile(YamlMapping m) {
        String name = name(m, "name");
        String description = description(m);
        DeviceSecurityMode mode = m.enumValue("deviceSecurityMode", DeviceSecurityMode.class,
                DeviceSecurityMode.NON_SECURE, DeviceSecurityMode::label);
        TransportType transport = m.enumValue("transportType", TransportType.class,
                mode.isSecure() ? TransportType.TLS : TransportType.TCP_UDP, TransportType::label);
        if (mode.isSecure() != (transport == TransportType.TLS)) {
            m.problem("transportType", mode.label() + " phones use " + (mode.isSecure() ? "TLS" : "TCP, UDP or TCP+UDP"),
                    mode.isSecure() ? "TLS" : "TCP, UDP, TCP+UDP");
        }
        PhoneSecurityProfile profile = new PhoneSecurityProfile(name, description, mode, transport,
                m.bool("enableDigestAuthentication", false),
                m.integer("nonceValidityTime", DEFAULT_NONCE_VALIDITY, 30, 86400),
                m.integer("sipPhonePort", 5060, 1, 65535), digestOptions(m), CallLimits.read(m, false));
        m.finish();
        return profile;
    }

    /**
     * sipTrunkDefaults: what a trunk that does not set it gets. Only the OPTIONS ping interval so far
     * (the shared SIP profile of other call controls); read once, while the trunks are read.
     */
    static int trunkPingDefault(YamlMapping m) {
        int interval = pingInterval(m, SipTrunk.DEFAULT_OPTIONS_PING_INTERVAL);
        m.finish();
        return interval;
    }

    private static int pingInterval(YamlMapping m, int defaultValue) {
        return m.integer("optionsPingIntervalSeconds", defaultValue, 0, 86400);
    }

    static SipTrunk trunk(YamlMapping m, int defaultPingInterval) {
        String name = name(m, "name");
        String profile = m.requiredString("securityProfile", "the name of a sipTrunkSecurityProfiles entry");
        List<Destination> destinations = m.list("destinations", element -> destination(element));
        if (destinations.isEmpty() || destinations.size() > 16) {
            m.problem("destinations", destinations.size() + " destinations", "1 to 16 host:port entries, tried in order");
        }
        boolean srtp = m.bool("srtpAllowed", false);
        List<String> inbound = m.list("inboundCalledNumbers", element -> pattern(element));
        CallLimits limits = CallLimits.read(m, true);
        TrunkIdentity identity = TrunkIdentity.read(m);
        int pingInterval = pingInterval(m, defaultPingInterval);
        m.finish();
        return new SipTrunk(name, profile, destinations, srtp, inbound, limits, identity, pingInterval);
    }

    static RoutePattern routePattern(YamlMapping m) {
        String pattern = m.requiredString("pattern", "digits, X, and ! at the end");
        if (pattern != null && !pattern.matches("[0-9Xx*#+]*!?") ) {
            m.problem("pattern", "'" + pattern + "' is not a route pattern", "digits, X for any digit, ! at the end for one or more");
        }
        String trunk = m.requiredString("trunk", "the name of a sipTrunks entry");
        m.finish();
        return pattern == null || trunk == null ? null : new RoutePattern(pattern, trunk);
    }

    static ApplicationUser applicationUser(YamlMapping m, String realm) {
        String userId = userId(m);
        DigestCredentials credentials = digestCredentials(m, realm, true);
        ApplicationUser user = new ApplicationUser(userId, credentials,
                m.bool("acceptPresenceSubscription", false), m.bool("acceptOutOfDialogRefer", false),
                m.bool("acceptUnsolicitedNotification", false), m.bool("acceptReplacesHeader", false));
        m.finish();
        return user;
    }

    static EndUser endUser(YamlMapping m, String realm) {
        EndUser user = new EndUser(userId(m), digestCredentials(m, realm, true));
        m.finish();
        return user;
    }

    static SipRealm sipRealm(YamlMapping m) {
        String realm = m.requiredString("realm", "the realm the trunk peer challenges with");
        String trunk = m.requiredString("trunk", "the name of a sipTrunks entry");
        String user = m.requiredString("user", "the user name to answer with");
        DigestCredentials credentials = digestCredentials(m, realm, true);
        m.finish();
        return new SipRealm(realm, trunk, user, credentials);
    }

    private static DigestOptions digestOptions(YamlMapping m) {
        List<String> algorithms = m.list("digestAlgorithms", element -> {
            String text = element.node() instanceof org.yaml.snakeyaml.nodes.ScalarNode s ? s.getValue() : "";
            if (!DigestOptions.ALGORITHMS.contains(text)) {
                element.problem("'" + text + "' is not a digest algorithm", String.join(", ", DigestOptions.ALGORITHMS));
                return null;
            }
            return text;
        });
        if (algorithms.isEmpty()) {
            algorithms = List.of("MD5");
        }
        if (algorithms.size() != new java.util.HashSet<>(algorithms).size()) {
            m.problem("digestAlgorithms", "an algorithm is listed twice", "each of " + DigestOptions.ALGORITHMS + " once");
        }
        return new DigestOptions(algorithms, m.bool("bindNonceToSource", false), m.bool("bindNonceToCallId", false),
                m.bool("acceptDigestWithoutQop", false));
    }

    static RegistrarSettings registrar(YamlMapping m) {
        RegistrarSettings defaults = RegistrarSettings.defaults();
        int min = m.integer("minExpires", defaults.minExpires(), 1, RegistrarSettings.MAX_INTERVAL);
        int max = m.integer("maxExpires", defaults.maxExpires(), 1, RegistrarSettings.MAX_INTERVAL);
        int fallback = m.integer("defaultExpires", defaults.defaultExpires(), 1, RegistrarSettings.MAX_INTERVAL);
        int contacts = m.integer("maxContactsPerLine", defaults.maxContactsPerLine(), 1, RegistrarSettings.MAX_CONTACTS_PER_LINE);
        m.finish();
        if (min > max) {
            m.problem("minExpires", min + " is above maxExpires " + max, "minExpires <= defaultExpires <= maxExpires");
        } else if (fallback < min || fallback > max) {
            m.problem("defaultExpires", fallback + " is outside " + min + ".." + max, "minExpires <= defaultExpires <= maxExpires");
        } else {
            return new RegistrarSettings(min, max, fallback, contacts);
        }
        // The problem refuses the whole file; the stand-in only lets the reading go on to list the rest.
        return defaults;
    }

    private static Destination destination(YamlMapping.Element element) {
        if (!(element.node() instanceof org.yaml.snakeyaml.nodes.ScalarNode scalar)) {
            element.problem("expected host:port", "e.g. 192.0.2.10:5060 or [2001:db8::1]:5061");
            return null;
        }
        String text = scalar.getValue().trim();
        java.util.regex.Matcher match = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.\\-]+)(?::(\\d{1,5}))?").matcher(text);
        int port = 5060;
        if (match.matches() && match.group(2) != null) {
            port = Integer.parseInt(match.group(2));
        }
        if (!match.matches() || port < 1 || port > 65535) {
            element.problem("'" + text + "' is not host:port", "e.g. 192.0.2.10:5060 or [2001:db8::1]:5061");
            return null;
        }
        String host = match.group(1).startsWith("[") ? match.group(1).substring(1, match.group(1).length() - 1) : match.group(1);
        return new Destination(host, port);
    }

    private static String pattern(YamlMapping.Element element) {
        String text = element.node() instanceof org.yaml.snakeyaml.nodes.ScalarNode s ? s.getValue() : "";
        if (!text.matches("[0-9Xx*#+]*!?") || text.isEmpty()) {
            element.problem("'" + text + "' is not a route pattern", "digits, X, ! at the end");
            return null;
        }
        return text;
    }

    static String directoryNumber(YamlMapping.Element element) {
        String text = element.node() instanceof org.yaml.snakeyaml.nodes.ScalarNode s ? s.getValue() : "";
        if (!text.matches("[0-9*#+]{1,32}")) {
            element.problem("'" + text + "' is not a directory number", "digits, * # +, up to 32");
            return null;
        }
        return text;
    }

    static String name(YamlMapping m, String key) {
        String name = m.requiredString(key, "up to 50 letters, digits, spaces, '.', '_', '-'");
        if (name != null && !NAME.matcher(name).matches()) {
            m.problem(key, "'" + name + "' is not a valid name", "up to 50 letters, digits, spaces, '.', '_', '-'");
        }
        return name;
    }

    private static String userId(YamlMapping m) {
        String userId = m.requiredString("userId", "a user name without spaces, quotes or '@'");
        if (userId != null && !userId.matches("[A-Za-z0-9._\\-+!~*'()&=$,;?/]{1,128}")) {
            m.problem("userId", "'" + userId + "' cannot be a SIP user", "letters, digits and the SIP user characters, up to 128");
        }
        return userId;
    }

    private static String description(YamlMapping m) {
        String description = m.string("description", "");
        if (description.length() > 50) {
            m.problem("description", "is " + description.length() + " characters long", "up to 50 characters");
        }
        if (FORBIDDEN_IN_DESCRIPTION.matcher(description).find()) {
            m.problem("description", "contains one of \" % & \\ < >", "any characters but \" % & \\ < >");
        }
        return description;
    }

    /** The reference's list: names separated by space, comma, semicolon or colon; 4096 characters at most. */
    private static List<String> subjectNames(YamlMapping m, String key) {
        String text = m.string(key, "");
        if (text.length() > 4096) {
            m.problem(key, "is " + text.length() + " characters long", "up to 4096 characters");
        }
        List<String> names = new ArrayList<>();
        for (String name : text.split("[ ,;:]+")) {
            if (name.contains("*")) {
                // Names match exactly (AllowedPeerNames): a wildcard would match no certificate at all.
                m.problem(key, "'" + name + "' is a wildcard, but certificate names are matched exactly",
                        "each name the trunk's certificates carry, e.g. sbc1.carrier.example");
            } else if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    private static DigestCredentials digestCredentials(YamlMapping m, String realm, boolean required) {
        if (!m.has("digestCredentials")) {
            m.raw("digestCredentials");
            if (required) {
                m.problem("digestCredentials", "missing", "HA1 per algorithm, written by `sipshield users set-digest`");
            }
            return null;
        }
        YamlMapping credentials = m.mapping("digestCredentials");
        List<DigestChecksum> checksums = new ArrayList<>();
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            String value = algorithm.isSession() ? null : credentials.string(algorithm.token(), null);
            if (value == null) {
                continue;
            }
            try {
                checksums.add(DigestChecksum.parse(algorithm.token() + ":" + value));
            } catch (IllegalArgumentException e) {
                // digest-auth's message never echoes the value: it is a password equivalent.
                credentials.problem(algorithm.token(), "is not an HA1 for " + algorithm.token(), e.getMessage());
            }
        }
        if (checksums.isEmpty()) {
            credentials.problem(null, "no HA1 given", "MD5, SHA-256 and/or SHA-512-256 keys");
        }
        credentials.finish();
        return new DigestCredentials(realm, checksums);
    }
}
