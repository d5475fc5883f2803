package org.sipshield.srtp;

import java.util.Objects;
import java.util.Optional;

/** Either a parsed {@link SdesCryptoAttribute} or the precise reason the line was refused. */
public final class SdesParseResult {
    private final SdesCryptoAttribute attribute;
    private final SdesRejection rejection;
    private final String detail;
    private final Integer tag;

    private SdesParseResult(SdesCryptoAttribute attribute, SdesRejection rejection, String detail, Integer tag) {
        this.attribute = attribute;
        this.rejection = rejection;
        this.detail = detail;
        this.tag = tag;
    }

    static SdesParseResult accepted(SdesCryptoAttribute attribute) {
        return new SdesParseResult(attribute, null, null, attribute.tag());
    }

    static SdesParseResult rejected(SdesRejection rejection, String detail, Integer tag) {
        return new SdesParseResult(null, Objects.requireNonNull(rejection), detail, tag);
    }

    public boolean isAccepted() {
        return attribute != null;
    }

    /** @throws IllegalStateException if the line was rejected */
    public SdesCryptoAttribute attribute() {
        if (attribute == null) {
            throw new IllegalStateException("a=crypto line rejected: " + rejection + ": " + detail);
        }
        return attribute;
    }

    public Optional<SdesRejection> rejection() {
        return Optional.ofNullable(rejection);
    }

    /** Human-readable reason (no key material), empty when accepted. */
    public String detail() {
        return detail == null ? "" : detail;
    }

    /** The line's tag, when it could be read. */
    public Optional<Integer> tag() {
        return Optional.ofNullable(tag);
    }

    @Override
    public String toString() {
        return isAccepted() ? "SdesParseResult[accepted " + attribute + "]"
                : "SdesParseResult[" + rejection + ": " + detail + "]";
    }
}
