package org.sipshield.proxy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import org.sipshield.config.ConfigException;
import org.sipshield.config.ConfigLoader;
import org.sipshield.config.SipShieldConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sipshield ctl}: the admin API from a shell. A thin client: each command is one HTTPS
 * request, its JSON answer printed as it came (indented). The token comes from a file or the
 * SIPSHIELD_TOKEN variable, never from an argument (ps shows arguments to every user). The
 * listener's address and the https certificate to trust come from the configuration file; the
 * server must present exactly that certificate, so no other party's certificate is accepted for
 * the name (a self-signed https identity has no CA to check a name against).
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = "Talk to a running proxy's admin API: calls | hangup ID | registrations | unregister DEVICE"
                + " | blocked | block ADDRESS SECONDS | unblock ADDRESS | trunks | certs | events | reload | drain")
final class CtlCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "the proxy's configuration (management address and port, data directory); default: the embedded one")
    Path configFile;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "a file holding the API token; default: the SIPSHIELD_TOKEN environment variable")
    Path tokenFile;

    @Parameters(index = "0", paramLabel = "COMMAND")
    String command;

    @Parameters(index = "1..*", paramLabel = "ARG", arity = "0..2")
    List<String> arguments = List.of();

    @Spec
    CommandSpec spec;

    private record Request(String method, String path, String body) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Request request = request();
            if (request == null) {
                err.println("ctl: unknown command or wrong arguments: " + command + " " + String.join(" ", arguments));
                return 2;
            }
            String token = token();
            if (token == null) {
                err.println("ctl: no token: give --token-file FILE or set SIPSHIELD_TOKEN");
                return 2;
            }
            SipShieldConfig config = configFile == null ? ConfigLoader.loadDefault() : ConfigLoader.load(configFile);
            if (!config.management().enabled()) {
                err.println("ctl: the configuration has no management listener");
                return 2;
            }
            Path certificate = config.server().dataDirectory().resolve("certs/https.crt.pem");
            URI uri = URI.create("https://" + hostPort(config.management().address(), config.management().port())
                    + request.path());
            HttpsURLConnection connection = open(uri, certificate);
            connection.setRequestMethod(request.method());
            connection.setRequestProperty("Authorization", "Bearer " + token);
            if (request.body() != null) {
                connection.setDoOutput(true);
                connection.setRequestProperty("Content-Type", "application/json");
                try (OutputStream body = connection.getOutputStream()) {
                    body.write(request.body().getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = connection.getResponseCode();
            String answer = read(status < 400 ? connection.getInputStream() : connection.getErrorStream());
            PrintWriter target = status < 400 ? out : err;
            target.println(status + " " + pretty(answer));
            return status < 400 ? 0 : 1;
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            return 2;
        } catch (IOException | GeneralSecurityException e) {
            err.println("ctl: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private Request request() {
        int n = arguments.size();
        return switch (command + "/" + n) {
            case "calls/0" -> new Request("GET", "/api/calls", null);
            case "hangup/1" -> new Request("DELETE", "/api/calls/" + arguments.get(0), null);
            case "registrations/0" -> new Request("GET", "/api/registrations", null);
            case "unregister/1" -> new Request("DELETE", "/api/registrations/" + arguments.get(0), null);
            case "blocked/0" -> new Request("GET", "/api/blocked", null);
            case "block/2" -> arguments.get(1).matches("\\d{1,9}") ? new Request("POST", "/api/blocked",
                    JSON.createObjectNode().put("source", arguments.get(0))
                            .put("seconds", Long.parseLong(arguments.get(1))).toString()) : null;
            case "unblock/1" -> new Request("DELETE", "/api/blocked/" + arguments.get(0), null);
            case "trunks/0" -> new Request("GET", "/api/trunks", null);
            case "certs/0" -> new Request("GET", "/api/certificates", null);
            case "events/0" -> new Request("GET", "/api/events", null);
            case "reload/0" -> new Request("POST", "/api/reload", null);
            case "drain/0" -> new Request("POST", "/drain", null);
            default -> null;
        };
    }

    private String token() throws IOException {
        String token = tokenFile != null ? Files.readString(tokenFile) : System.getenv("SIPSHIELD_TOKEN");
        return token == null || token.isBlank() ? null : token.trim();
    }

    private static String hostPort(String address, int port) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    /** Trusts the one certificate the proxy serves, and accepts the connection only if it is presented. */
    private static HttpsURLConnection open(URI uri, Path certificateFile) throws IOException, GeneralSecurityException {
        Certificate pinned;
        try (InputStream pem = new ByteArrayInputStream(Files.readAllBytes(certificateFile))) {
            pinned = CertificateFactory.getInstance("X.509").generateCertificate(pem);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("https", pinned);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        HttpsURLConnection connection = (HttpsURLConnection) uri.toURL().openConnection();
        connection.setSSLSocketFactory(context.getSocketFactory());
        connection.setHostnameVerifier((host, session) -> {
            try {
                return session.getPeerCertificates()[0].equals(pinned);
            } catch (SSLPeerUnverifiedException e) {
                return false;
            }
        });
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(60_000);
        connection.setInstanceFollowRedirects(false);
        return connection;
    }

    private static String read(InputStream stream) throws IOException {
        if (stream == null) {
            return "";
        }
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String pretty(String answer) {
        try {
            return JSON.writeValueAsString(JSON.readTree(answer));
        } catch (IOException e) {
            return answer.strip(); // plain text (drain, 401)
        }
    }
}
