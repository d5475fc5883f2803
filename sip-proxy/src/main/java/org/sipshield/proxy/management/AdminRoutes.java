package org.sipshield.proxy.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON admin API under {@code /api/}: one method per resource, each answering a status and a
 * JSON body. Authentication has happened before (ManagementHandler); every change is logged here
 * on sipshield.security with who made it, before it is made, so that a change that fails half-way
 * is still on record.
 */
final class AdminRoutes {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");
    /** The resources, as log lines name a path (the rest of a path is the caller's text). */
    static final java.util.Set<String> RESOURCES = java.util.Set.of("/api/calls", "/api/registrations", "/api/blocked",
            "/api/trunks", "/api/certificates", "/api/reload", "/api/events");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** A year: an operator's block is a decision to revisit, not a permanent ban lost in memory. */
    private static final long MAX_BLOCK_SECONDS = 365L * 24 * 3600;
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance))
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    record Answer(int status, String json) {}

    private final AdminApi api;
    private final java.util.function.Supplier<java.util.List<ManagementApi.SecurityEvent>> securityEvents;

    AdminRoutes(AdminApi api, java.util.function.Supplier<java.util.List<ManagementApi.SecurityEvent>> securityEvents) {
        this.api = api;
        this.securityEvents = securityEvents;
    }

    /** The resource a path names ("/api/calls" for "/api/calls/17"), or null when none. */
    static String resource(String path) {
        int slash = path.indexOf('/', "/api/".length());
        String resource = slash < 0 ? path : path.substring(0, slash);
        return RESOURCES.contains(resource) ? resource : null;
    }

    Answer handle(String method, String path, String body, String source, String who) {
        String resource = resource(path);
        String item = resource == null || path.length() <= resource.length() + 1 ? null
                : path.substring(resource.length() + 1);
        if (resource == null || (item != null && item.contains("/"))) {
            return error(404, "not found");
        }
        try {
            return switch (resource + " " + method + (item == null ? "" : " item")) {
                case "/api/calls GET" -> ok(Map.of("calls", api.calls()));
                case "/api/calls DELETE item" -> terminate(item, source, who);
                case "/api/registrations GET" -> ok(Map.of("registrations", api.registrations()));
                case "/api/registrations DELETE item" -> unregister(item, source, who);
                case "/api/blocked GET" -> ok(Map.of("blocked", api.blocked()));
                case "/api/blocked POST" -> block(body, source, who);
                case "/api/blocked DELETE item" -> unblock(item, source, who);
                case "/api/trunks GET" -> ok(Map.of("trunks", api.trunks()));
                case "/api/certificates GET" -> ok(Map.of("certificates", api.certificates()));
                case "/api/reload POST" -> reload(source, who);
                case "/api/events GET" -> ok(Map.of("events", securityEvents.get()));
                default -> error(405, "method not allowed");
            };
        } catch (JsonProcessingException e) {
            return error(400, "the body is not the JSON this path takes");
        } catch (org.sipshield.digest.SharedCounters.Unavailable e) {
            return error(503, "the shared counters (redis) are unavailable and redis.unavailable is FAIL_CLOSED");
        }
    }

    private Answer terminate(String item, String source, String who) throws JsonProcessingException {
        if (!item.matches("\\d{1,18}")) {
            return error(400, "a call is named by its id");
        }
        action(source, who, "terminate-call call=" + item);
        return api.terminateCall(Long.parseLong(item)) ? ok(Map.of("terminated", Long.parseLong(item)))
                : error(404, "no such call up");
    }

    private Answer unregister(String device, String source, String who) throws JsonProcessingException {
        if (!DEVICE.matcher(device).matches()) {
            return error(400, "not a device name");
        }
        action(source, who, "unregister device=" + device);
        int removed = api.unregister(device);
        return removed == 0 ? error(404, "the device has no registration") : ok(Map.of("removed", removed));
    }

    private Answer block(String body, String source, String who) throws JsonProcessingException {
        JsonNode request = JSON.readTree(body == null || body.isBlank() ? "null" : body);
        if (request == null || !request.path("source").isTextual() || !request.path("seconds").canConvertToLong()) {
            return error(400, "expected {\"source\": \"ADDRESS\", \"seconds\": N}");
        }
        InetAddress address = literal(request.get("source").asText());
        long seconds = request.get("seconds").asLong();
        if (address == null || seconds < 1 || seconds > MAX_BLOCK_SECONDS) {
            return error(400, "source must be an IP address, seconds 1.." + MAX_BLOCK_SECONDS);
        }
        action(source, who, "block source=" + address.getHostAddress() + " seconds=" + seconds);
        Instant until = api.block(address, Duration.ofSeconds(seconds));
        if (until == null) {
            return error(507, "the operator block list is full");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("blocked", address.getHostAddress());
        answer.put("until", until);
        return new Answer(201, JSON.writeValueAsString(answer));
    }

    private Answer unblock(String item, String source, String who) throws JsonProcessingException {
        InetAddress address = literal(item);
        if (address == null) {
            return error(400, "not an IP address");
        }
        action(source, who, "unblock source=" + address.getHostAddress());
        return api.unblock(address) ? ok(Map.of("unblocked", address.getHostAddress())) : error(404, "not blocked");
    }

    private Answer reload(String source, String who) throws JsonProcessingException {
        action(source, who, "reload");
        AdminApi.ReloadResult result = api.reload();
        return new Answer(result.applied() ? 200 : 422, JSON.writeValueAsString(result));
    }

    /** An address as the caller wrote it, never looked up: a name would make the API resolve what a caller chose. */
    static InetAddress literal(String text) {
        boolean v6 = text.contains(":") && IPV6.matcher(text).matches();
        if (!v6 && !IPV4.matcher(text).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static void action(String source, String who, String what) {
        SECURITY.warn("SECURITY admin-action src={} who={} action={}", source, who, what);
    }

    private static Answer ok(Object body) throws JsonProcessingException {
        return new Answer(200, JSON.writeValueAsString(body));
    }

    private static Answer error(int status, String message) {
        try {
            return new Answer(status, JSON.writeValueAsString(Map.of("error", message)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
