package org.sipshield.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a sipshield YAML file into a {@link SipShieldConfig}, or refuses it with every problem
 * it finds: syntax, unknown keys, wrong types, values out of range, and rules that span
 * several settings.
 */
public final class ConfigLoader {
    /** Where the shipped default configuration sits on the classpath. */
    public static final String DEFAULT_RESOURCE = "/org/sipshield/config/sipshield.yaml";
    public static final String DEFAULT_NAME = "embedded default sipshield.yaml";

    /** A site with 100,000 phones and their users writes about 20 MB; past this a file is refused unread. */
    private static final int MAX_FILE_BYTES = 64 * 1024 * 1024;

    private ConfigLoader() {}

    public static SipShieldConfig load(Path file) throws ConfigException {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(List.of(new ConfigProblem(file.toString(), 0, "",
                        "the file is larger than " + MAX_FILE_BYTES + " bytes", null)));
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException(List.of(new ConfigProblem(file.toString(), 0, "",
                    "the file is not valid UTF-8", null)));
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(file.toString(), 0, "",
                    "cannot read the file: " + e.getMessage(), null)));
        }
        return parse(text, file.toString());
    }

    public static SipShieldConfig loadDefault() throws ConfigException {
        return parse(defaultText(), DEFAULT_NAME);
    }

    public static String defaultText() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default configuration is missing from the jar: " + DEFAULT_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the default configuration", e);
        }
    }

    public static SipShieldConfig parse(String text, String fileName) throws ConfigException {
        Problems problems = new Problems(fileName);
        Node root = compose(text, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.list());
        }
        SipShieldConfig config = read(new YamlMapping(problems, "", root), problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.list());
        }
        return config;
    }

    private static Node compose(String text, Problems problems) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // duplicates are reported by YamlMapping, with their path
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_FILE_BYTES);
        Yaml yaml = new Yaml(new SafeConstructor(options), new org.yaml.snakeyaml.representer.Representer(
                new org.yaml.snakeyaml.DumperOptions()), new org.yaml.snakeyaml.DumperOptions(), options);
        try (Reader reader = new StringReader(text)) {
            Node root = yaml.compose(reader);
            if (root == null) {
                problems.add(1, "", "the file is empty", "a mapping with at least 'listeners'");
            }
            return root;
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.add(mark == null ? 0 : mark.getLine() + 1, "", "YAML syntax: " + e.getProblem(), null);
        } catch (YAMLException | IOException e) {
            problems.add(0, "", "YAML syntax: " + e.getMessage(), null);
        }
        return null;
    }

    private static SipShieldConfig read(YamlMapping root, Problems problems) {
        ServerSettings server = readServer(root.mapping("server"));
        DatabaseSettings database = root.has("database") ? readDatabase(root.mapping("database")) : DatabaseSettings.embedded();
        RedisSettings redis = root.has("redis") ? RedisSettingsReader.redis(root.mapping("redis")) : RedisSettings.none();
        List<Listener> listeners = root.list("listeners", element -> readListener(element.asMapping()));
        if (listeners.isEmpty() && problems.isEmpty()) {
            root.problem("listeners", "at least one listener is needed", "a list of {transport, address, port}");
        }
        checkListenersDoNotClash(root, listeners);
        EnterpriseParameters enterprise = ModelReader.enterpriseParameters(root.mapping("enterpriseParameters"));
        SecuritySettings security = ModelReader.security(root.mapping("security"));
        RegistrarSettings registrar = ModelReader.registrar(root.mapping("registrar"));
        TlsSettings tls = TlsSettingsReader.tls(root.mapping("tls"));
        MediaSettings media = MediaSettingsReader.media(root.mapping("media"), listeners);
        List<String> warnings = new ArrayList<>();
        SessionTimerSettings sessionTimers = SessionTimerSettings.read(root.mapping("sessionTimers"), warnings);
        ManagementSettings management = root.has("management")
                ? readManagement(root.mapping("management"), listeners) : ManagementSettings.disabled();
        Map<Object, YamlMapping> where = ConfigRules.newIndex();
        List<SipTrunkSecurityProfile> trunkProfiles = entries(root, "sipTrunkSecurityProfiles", where, ModelReader::trunkProfile);
        List<PhoneSecurityProfile> phoneProfiles = entries(root, "phoneSecurityProfiles", where, ModelReader::phoneProfile);
        int pingDefault = ModelReader.trunkPingDefault(root.mapping("sipTrunkDefaults"));
        List<SipTrunk> trunks = entries(root, "sipTrunks", where, m -> ModelReader.trunk(m, pingDefault));
        List<RoutePattern> routes = entries(root, "routePatterns", where, ModelReader::routePattern);
        List<ApplicationUser> applicationUsers = entries(root, "applicationUsers", where,
                m -> ModelReader.applicationUser(m, enterprise.clusterId()));
        List<EndUser> endUsers = entries(root, "endUsers", where, m -> ModelReader.endUser(m, enterprise.sipStationRealm()));
        List<Phone> phones = entries(root, "phones", where, DeviceReader::phone);
        List<VoicemailPort> voicemailPorts = entries(root, "voicemailPorts", where, DeviceReader::voicemailPort);
        List<SipRealm> realms = entries(root, "sipRealms", where, ModelReader::sipRealm);
        ClusterSettings cluster = root.has("cluster")
                ? ClusterSettingsReader.cluster(root.mapping("cluster"), database, trunks, trunkProfiles) : ClusterSettings.none();
        root.finish();
        SipShieldConfig config = new SipShieldConfig(server, database, redis, cluster, listeners, enterprise, security, registrar, tls, media, sessionTimers, management, trunkProfiles, phoneProfiles,
                trunks, routes, applicationUsers, endUsers, phones, voicemailPorts, realms, warnings);
        new ConfigRules(where, warnings).check(config);
        return new SipShieldConfig(server, database, redis, cluster, listeners, enterprise, security, registrar, tls, media, sessionTimers, management, trunkProfiles, phoneProfiles,
                trunks, routes, applicationUsers, endUsers, phones, voicemailPorts, realms, warnings);
    }

    private static <T> List<T> entries(YamlMapping root, String key, Map<Object, YamlMapping> where,
            java.util.function.Function<YamlMapping, T> reader) {
        return root.list(key, element -> {
            YamlMapping mapping = element.asMapping();
            T entry = reader.apply(mapping);
            if (entry != null) {
                where.put(entry, mapping);
            }
            return entry;
        });
    }

    private static ServerSettings readServer(YamlMapping server) {
        String hostName = server.string("hostName", null);
        if (hostName == null || hostName.isBlank()) {
            hostName = localHostName();
        } else if (!hostName.matches("[A-Za-z0-9.:\\-]{1,253}")) {
            server.problem("hostName", "'" + hostName + "' is not a host name",
                    "letters, digits, '.', '-' (or an IP address), up to 253 characters");
        }
        String dataDirectory = server.string("dataDirectory", "data");
        Path data = Path.of(".");
        try {
            data = Path.of(dataDirectory);
        } catch (java.nio.file.InvalidPathException e) {
            server.problem("dataDirectory", "'" + dataDirectory + "' is not a valid path", null);
        }
        String nodeName = server.string("nodeName", null);
        if (nodeName == null || nodeName.isBlank()) {
            nodeName = localHostName();
        } else if (!nodeName.matches("[A-Za-z0-9._\\-]{1,64}")) {
            server.problem("nodeName", "'" + nodeName + "' is not a node name",
                    "letters, digits, '.', '_', '-', up to 64 characters, different on every node");
        }
        int stallWarningSeconds = server.integer("stallWarningSeconds", ServerSettings.DEFAULT_STALL_WARNING_SECONDS, 1, 3600);
        int drainSeconds = server.integer("shutdownDrainSeconds", ServerSettings.DEFAULT_SHUTDOWN_DRAIN_SECONDS, 0, 3600);
        int callRecordDays = server.integer("callRecordDays", ServerSettings.DEFAULT_CALL_RECORD_DAYS, 1, 3650);
        LogFormat logFormat = server.enumValue("logFormat", LogFormat.class, LogFormat.TEXT, Enum::name);
        server.finish();
        return new ServerSettings(hostName, nodeName, data, stallWarningSeconds, drainSeconds, callRecordDays, logFormat);
    }

    /** The shared registration database; a password is only ever read from a file, never from the URL. */
    private static DatabaseSettings readDatabase(YamlMapping database) {
        String url = database.string("url", null);
        // the URL is logged and shown in errors: a password in it would end up in both, so it is never echoed
        if (url != null && url.toLowerCase(java.util.Locale.ROOT).matches("(?s).*[?&;]password=.*")) {
            database.problem("url", "the URL holds a password", "the password in database.passwordFile, the URL without it");
        } else if (url != null && !url.startsWith(DatabaseSettings.POSTGRESQL_PREFIX)) {
            database.problem("url", "not a PostgreSQL JDBC URL",
                    "jdbc:postgresql://host:port/database (absent: the embedded SQLite file)");
        }
        String user = database.string("user", null);
        String passwordFile = database.string("passwordFile", null);
        Path password = null;
        if (passwordFile != null && passwordFile.isBlank()) {
            database.problem("passwordFile", "is empty", "the path of a file holding the password, or no key");
        } else if (passwordFile != null) {
            try {
                password = Path.of(passwordFile);
            } catch (java.nio.file.InvalidPathException e) {
                database.problem("passwordFile", "'" + passwordFile + "' is not a valid path", null);
            }
        }
        if (url == null && (user != null || passwordFile != null)) {
            database.problem("url", "user or passwordFile given without a url", "a jdbc:postgresql:// URL, or no database section");
        }
        database.finish();
        return new DatabaseSettings(url, user, password);
    }

    /** The management listener; its socket is checked against the SIP stream listeners it could clash with. */
    private static ManagementSettings readManagement(YamlMapping management, List<Listener> listeners) {
        boolean enabled = management.bool("enabled", true);
        String address = management.string("address", ManagementSettings.DEFAULT_ADDRESS);
        if (!isIpLiteral(address)) {
            management.problem("address", "'" + address + "' is not an IP address",
                    "an IPv4 or IPv6 address of this machine, e.g. 127.0.0.1");
        }
        int port = management.integer("port", ManagementSettings.DEFAULT_PORT, 1, 65535);
        for (Listener listener : listeners) {
            if (enabled && listener.transport().isStream() && listener.port() == port
                    && (listener.address().equals(address) || isWildcard(listener.address()) || isWildcard(address))) {
                management.problem("port", port + " is the port of the SIP listener " + listener,
                        "a TCP port that no TCP or TLS listener uses on that address");
            }
        }
        management.finish();
        return new ManagementSettings(enabled, address, port);
    }

    private static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::");
    }

    private static Listener readListener(YamlMapping listener) {
        Transport transport = listener.enumValue("transport", Transport.class, null, Transport::name);
        if (transport == null && !listener.has("transport")) {
            listener.problem("transport", "missing", "UDP, TCP, TLS");
        }
        String address = listener.string("address", "127.0.0.1");
        if (!isIpLiteral(address)) {
            listener.problem("address", "'" + address + "' is not an IP address",
                    "an IPv4 or IPv6 address of this machine, e.g. 127.0.0.1, 0.0.0.0, ::1");
        }
        int defaultPort = transport == Transport.TLS ? 5061 : 5060;
        int port = listener.integer("port", defaultPort, 1, 65535);
        listener.finish();
        return transport == null ? null : new Listener(transport, address, port);
    }

    /** Two listeners cannot hold the same socket; TCP and TLS share the stream socket space. */
    private static void checkListenersDoNotClash(YamlMapping root, List<Listener> listeners) {
        Map<String, Listener> taken = new HashMap<>();
        for (Listener listener : listeners) {
            String socket = (listener.transport().isStream() ? "stream " : "datagram ") + listener.address() + " " + listener.port();
            Listener earlier = taken.putIfAbsent(socket, listener);
            if (earlier != null) {
                root.problem("listeners", listener + " uses the same socket as " + earlier,
                        "a different port or address for each TCP/TLS listener, and for each UDP listener");
            }
        }
    }

    static boolean isIpLiteral(String address) {
        if (address == null || !(address.matches("\\d{1,3}(\\.\\d{1,3}){3}") || address.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*"))) {
            return false;
        }
        try {
            InetAddress.getByName(address); // a literal is parsed, never looked up
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Used by tests and by check-config to show all problems without throwing. */
    public static List<ConfigProblem> problemsOf(Path file) {
        try {
            load(file);
            return new ArrayList<>();
        } catch (ConfigException e) {
            return e.problems();
        }
    }
}
