package org.sipshield.digest;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * How one realm challenges and verifies: the digest part of a phone or trunk security profile.
 * Validated when built; immutable.
 */
public final class DigestPolicy {

    /** The reference's default Nonce Validity Time. */
    public static final int DEFAULT_NONCE_VALIDITY_SECONDS = 600;
    public static final int MAX_NONCE_VALIDITY_SECONDS = 86_400;
    /**
     * Default bound of the nc replay tracker: about 250 bytes per entry, so ~12 MB at most per
     * realm. A busy registrar with a 600 s validity issues far fewer live nonces than this.
     */
    public static final int DEFAULT_MAX_TRACKED_NONCES = 50_000;
    public static final int MAX_MAX_TRACKED_NONCES = 5_000_000;

    private final String realm;
    private final List<DigestAlgorithm> algorithms;
    private final int nonceValiditySeconds;
    private final Set<NonceBinding> bindings;
    private final boolean acceptRfc2069Clients;
    private final boolean offerUserhash;
    private final int maxTrackedNonces;

    private DigestPolicy(Builder b) {
        this.realm = DigestParams.requireHeaderSafe("realm", b.realm);
        if (realm.isBlank()) {
            throw new IllegalArgumentException("realm must not be blank");
        }
        if (b.algorithms.isEmpty()) {
            throw new IllegalArgumentException("at least one digest algorithm is required");
        }
        if (EnumSet.copyOf(b.algorithms).size() != b.algorithms.size()) {
            throw new IllegalArgumentException("an algorithm is listed twice");
        }
        this.algorithms = List.copyOf(b.algorithms);
        if (b.nonceValiditySeconds < 1 || b.nonceValiditySeconds > MAX_NONCE_VALIDITY_SECONDS) {
            throw new IllegalArgumentException("nonceValiditySeconds must be 1.." + MAX_NONCE_VALIDITY_SECONDS);
        }
        this.nonceValiditySeconds = b.nonceValiditySeconds;
        this.bindings = b.bindings.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(b.bindings));
        this.acceptRfc2069Clients = b.acceptRfc2069Clients;
        this.offerUserhash = b.offerUserhash;
        if (b.maxTrackedNonces < 1 || b.maxTrackedNonces > MAX_MAX_TRACKED_NONCES) {
            throw new IllegalArgumentException("maxTrackedNonces must be 1.." + MAX_MAX_TRACKED_NONCES);
        }
        this.maxTrackedNonces = b.maxTrackedNonces;
    }

    /** Starts a policy for a realm, e.g. the SIP Station Realm or the Cluster ID. */
    public static Builder builder(String realm) {
        return new Builder(realm);
    }

    public String realm() {
        return realm;
    }

    /** Allowed algorithms, most preferred first; challenges are offered in this order. */
    public List<DigestAlgorithm> algorithms() {
        return algorithms;
    }

    public int nonceValiditySeconds() {
        return nonceValiditySeconds;
    }

    public Set<NonceBinding> bindings() {
        return bindings;
    }

    public boolean acceptRfc2069Clients() {
        return acceptRfc2069Clients;
    }

    public boolean offerUserhash() {
        return offerUserhash;
    }

    public int maxTrackedNonces() {
        return maxTrackedNonces;
    }

    @Override
    public String toString() {
        return "DigestPolicy[realm=" + realm + ", algorithms=" + algorithms + ", nonceValiditySeconds="
                + nonceValiditySeconds + ", bindings=" + bindings + ", acceptRfc2069Clients=" + acceptRfc2069Clients
                + ", offerUserhash=" + offerUserhash + ", maxTrackedNonces=" + maxTrackedNonces + "]";
    }

    public static final class Builder {
        private final String realm;
        private List<DigestAlgorithm> algorithms = List.of(DigestAlgorithm.MD5);
        private int nonceValiditySeconds = DEFAULT_NONCE_VALIDITY_SECONDS;
        private Set<NonceBinding> bindings = Set.of();
        private boolean acceptRfc2069Clients;
        private boolean offerUserhash;
        private int maxTrackedNonces = DEFAULT_MAX_TRACKED_NONCES;

        private Builder(String realm) {
            this.realm = realm;
        }

        /** Algorithms in preference order; default MD5 only (what phones support). */
        public Builder algorithms(DigestAlgorithm... preferred) {
            this.algorithms = new ArrayList<>(List.of(preferred));
            return this;
        }

        public Builder nonceValiditySeconds(int seconds) {
            this.nonceValiditySeconds = seconds;
            return this;
        }

        public Builder bindNonceTo(NonceBinding... bindings) {
            this.bindings = Set.of(bindings);
            return this;
        }

        /**
         * Accepts credentials without qop (RFC 2069). They carry no nc, so each nonce is then
         * accepted once; leave off unless a device needs it.
         */
        public Builder acceptRfc2069Clients(boolean accept) {
            this.acceptRfc2069Clients = accept;
            return this;
        }

        /** Adds {@code userhash=true} to challenges (RFC 7616 section 3.4.4). */
        public Builder offerUserhash(boolean offer) {
            this.offerUserhash = offer;
            return this;
        }

        public Builder maxTrackedNonces(int max) {
            this.maxTrackedNonces = max;
            return this;
        }

        public DigestPolicy build() {
            return new DigestPolicy(this);
        }
    }
}
