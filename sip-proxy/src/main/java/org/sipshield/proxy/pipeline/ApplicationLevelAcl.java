package org.sipshield.proxy.pipeline;

import java.util.Optional;
import java.util.function.Supplier;
import org.sipshield.config.ApplicationUser;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fourth step, on trunks with application level authorization: the application user that
 * authenticated must itself accept the request's categories (403 otherwise). The trunk's own
 * ACL has already passed by then, as the reference orders it.
 */
public final class ApplicationLevelAcl implements PipelineStep {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");

    private final Supplier<SecurityModel> model;

    public ApplicationLevelAcl(Supplier<SecurityModel> model) {
        this.model = model;
    }

    @Override
    public Verdict apply(InboundRequest inbound) {
        if (!(inbound.peer() instanceof Peer.Trunk trunk) || !trunk.profile().enableApplicationLevelAuthorization()) {
            return Verdict.proceed();
        }
        var categories = RequestCategory.of(inbound);
        if (categories.isEmpty()) {
            return Verdict.proceed();
        }
        Optional<ApplicationUser> user = inbound.authenticatedUser() == null ? Optional.empty()
                : model.get().applicationUser(inbound.authenticatedUser());
        for (RequestCategory category : categories) {
            if (user.isEmpty() || !category.acceptedBy(user.get())) {
                SECURITY.info("SECURITY acl-denied level=application trunk=\"{}\" user=\"{}\" method={} category=\"{}\"",
                        trunk.trunk().name(), user.map(ApplicationUser::userId).orElse(""), inbound.method(), category.label());
                return Verdict.respond(403, "Forbidden");
            }
        }
        return Verdict.proceed();
    }
}
