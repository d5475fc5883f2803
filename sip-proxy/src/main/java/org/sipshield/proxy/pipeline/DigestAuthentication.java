package org.sipshield.proxy.pipeline;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.sip.header.Header;
import javax.sip.message.Request;
import org.sipshield.config.DigestCredentials;
import org.sipshield.config.DigestOptions;
import org.sipshield.digest.BlockAction;
import org.sipshield.digest.BruteForceGuard;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestAuthenticator;
import org.sipshield.digest.DigestAuthorization;
import org.sipshield.digest.DigestParseException;
import org.sipshield.digest.DigestChallenge;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.digest.DigestHeaderKind;
import org.sipshield.digest.DigestPolicy;
import org.sipshield.digest.DigestRequest;
import org.sipshield.digest.DigestUser;
import org.sipshield.digest.DigestUserDirectory;
import org.sipshield.digest.DigestVerification;
import org.sipshield.digest.NonceBinding;
import org.sipshield.digest.NonceSecret;
import org.sipshield.digest.SecurityEvent;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Third step: digest authentication where the peer's profile enables it. Phones and voicemail
 * ports are challenged in the SIP Station Realm and must authenticate as their device's digest
 * user; trunk peers are challenged in the Cluster ID realm as an application user. REGISTER gets
 * 401 / WWW-Authenticate, every other request 407 / Proxy-Authenticate. Failures count towards
 * the brute-force guard; a blocked source gets 403 or silence for its cool-down.
 */
public final class DigestAuthentication implements PipelineStep {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");

    private final Supplier<SecurityModel> model;
    private final NonceSecret secret;
    private final BruteForceGuard guard;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** One authenticator per (model, realm, nonce validity): its replay tracking must outlive requests. */
    private final Map<String, DigestAuthenticator> authenticators = new ConcurrentHashMap<>();

    public DigestAuthentication(Supplier<SecurityModel> model, NonceSecret secret, BruteForceGuard guard, Clock clock) {
        this.model = model;
        this.secret = secret;
        this.guard = guard;
        this.clock = clock;
    }

    @Override
    public Verdict apply(InboundRequest inbound) {
        String method = inbound.method();
        if (Request.ACK.equals(method) || Request.CANCEL.equals(method) || !inbound.isOutOfDialog()) {
            return Verdict.proceed(); // never challenged (RFC 3261 22.1); in-dialog: authorised by their dialog
        }
        SecurityModel current = model.get();
        Required required = required(current, inbound.peer());
        if (required == null) {
            return Verdict.proceed();
        }
        DigestHeaderKind kind = Request.REGISTER.equals(method) ? DigestHeaderKind.WWW_AUTHENTICATE
                : DigestHeaderKind.PROXY_AUTHENTICATE;
        List<String> credentials = credentials(inbound.request(), kind);
        Optional<BlockAction> blocked = guard.blocked(inbound.source().getAddress())
                .or(() -> claimedUser(credentials).flatMap(user -> guard.blocked(inbound.source().getAddress(), user)));
        if (blocked.isPresent()) {
            return blockedVerdict(blocked.get());
        }
        DigestAuthenticator authenticator = authenticator(current, required);
        DigestRequest request = DigestRequest.of(method, inbound.source(), inbound.callId());
        DigestVerification verification = authenticator.verify(request, credentials);
        if (verification.isAuthenticated()) {
            String user = verification.authenticatedUser().orElseThrow();
            if (required.expectedUser() != null && !required.expectedUser().equals(user)) {
                SECURITY.info("SECURITY digest-auth-rejected src={} port={} user=\"{}\" realm=\"{}\" reason=not-the-device-user",
                        inbound.source().getAddress().getHostAddress(), inbound.source().getPort(), "", required.realm());
                return Verdict.respond(403, "Forbidden");
            }
            guard.recordSuccess(inbound.source().getAddress(), user);
            inbound.authenticatedUser(user);
            return Verdict.proceed();
        }
        verification.securityEvent().ifPresent(event -> SECURITY.warn(event.toLogLine()));
        if (verification.outcome().countsAsFailedAttempt()) {
            Optional<SecurityEvent> blocking = guard.recordFailure(inbound.source(), verification.claimedUser(), required.realm());
            if (blocking.isPresent()) {
                SECURITY.warn(blocking.get().toLogLine());
                return blockedVerdict(guard.policy().action());
            }
        }
        List<Map.Entry<String, String>> challenges = new ArrayList<>();
        for (DigestChallenge challenge : verification.challenges()) {
            challenges.add(Map.entry(kind.challengeHeader(), challenge.toHeaderValue()));
        }
        return Verdict.respond(kind.statusCode(), kind.statusCode() == 401 ? "Unauthorized"
                : "Proxy Authentication Required", challenges);
    }

    private static Optional<String> claimedUser(List<String> credentials) {
        for (String value : credentials) {
            try {
                return Optional.of(DigestAuthorization.parse(value).username());
            } catch (DigestParseException e) {
                // not a digest answer we can read: the verifier will say MALFORMED
            }
        }
        return Optional.empty();
    }

    private static Verdict blockedVerdict(BlockAction action) {
        return action == BlockAction.DROP ? Verdict.drop("source blocked after failed digest attempts")
                : Verdict.respond(403, "Forbidden");
    }

    /** Who must authenticate, in which realm; null when the peer's profile does not ask for digest. */
    private record Required(String realm, int nonceValiditySeconds, String expectedUser, boolean trunk,
            DigestOptions options) {}

    private static Required required(SecurityModel current, Peer peer) {
        if (peer instanceof Peer.Trunk trunk && trunk.profile().enableDigestAuthentication()) {
            return new Required(current.config().enterpriseParameters().clusterId(),
                    trunk.profile().nonceValidityTime(), null, true, trunk.profile().digestOptions());
        }
        if (peer instanceof Peer.Device device && device.profile().enableDigestAuthentication()) {
            return new Required(current.config().enterpriseParameters().sipStationRealm(),
                    device.profile().nonceValidityTime(), device.device().digestUser(), false,
                    device.profile().digestOptions());
        }
        return null;
    }

    private DigestAuthenticator authenticator(SecurityModel current, Required required) {
        String key = System.identityHashCode(current) + "\n" + required;
        return authenticators.computeIfAbsent(key, k -> {
            if (authenticators.size() > 64) {
                authenticators.clear(); // older models' authenticators after many reloads
            }
            DigestOptions options = required.options();
            List<NonceBinding> bindings = new ArrayList<>();
            if (options.bindNonceToSource()) {
                bindings.add(NonceBinding.SOURCE_ADDRESS);
            }
            if (options.bindNonceToCallId()) {
                bindings.add(NonceBinding.CALL_ID);
            }
            DigestPolicy policy = DigestPolicy.builder(required.realm())
                    .algorithms(options.digestAlgorithms().stream()
                            .map(name -> DigestAlgorithm.fromToken(name).orElseThrow()).toArray(DigestAlgorithm[]::new))
                    .nonceValiditySeconds(required.nonceValiditySeconds())
                    .bindNonceTo(bindings.toArray(NonceBinding[]::new))
                    .acceptRfc2069Clients(options.acceptDigestWithoutQop())
                    .build();
            return new DigestAuthenticator(policy, secret, directory(current, required.trunk()), clock, random);
        });
    }

    /** The configured users of one realm: application users for trunks, end users for devices. */
    private static DigestUserDirectory directory(SecurityModel current, boolean applicationUsers) {
        return (realm, username) -> {
            Optional<DigestCredentials> credentials = applicationUsers
                    ? current.config().applicationUser(username).map(u -> u.digestCredentials())
                    : current.config().endUser(username).map(u -> u.digestCredentials());
            return credentials.filter(c -> c != null && realm.equals(c.realm()))
                    .map(c -> new DigestUser(username, c.ha1ByAlgorithm().entrySet().stream()
                            .map(e -> DigestChecksum.parse(e.getKey() + ":" + e.getValue())).toList()));
        };
    }

    private static List<String> credentials(Request request, DigestHeaderKind kind) {
        List<String> values = new ArrayList<>();
        ListIterator<?> headers = request.getHeaders(kind.credentialsHeader());
        while (headers != null && headers.hasNext()) {
            Header header = (Header) headers.next();
            String text = header.toString();
            int colon = text.indexOf(':');
            values.add(text.substring(colon + 1).trim());
        }
        return values;
    }
}
